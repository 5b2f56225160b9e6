import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchedStdout } from './log-destination.js';

/** Stands in for sonic-boom: records what it is given and what was flushed. */
function recorder() {
  const writes: string[] = [];
  const flushed: string[] = [];
  const flushAll = () => void flushed.push(...writes.splice(0));
  const destination = {
    write: (text: string) => void writes.push(text),
    flush: (callback?: () => void) => (flushAll(), callback?.()),
    flushSync: flushAll,
  };
  return { destination: destination as unknown as ConstructorParameters<typeof BatchedStdout>[0], writes, flushed };
}

test('log lines of one turn of the event loop reach the writer as one string, in order', async () => {
  const r = recorder();
  const out = new BatchedStdout(r.destination);
  out.write('{"n":1}\n');
  out.write('{"n":2}\n');
  out.write('{"n":3}\n');
  assert.deepEqual(r.writes, [], 'handed over at the end of the turn, not line by line');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(r.writes, ['{"n":1}\n{"n":2}\n{"n":3}\n']);
  out.write('{"n":4}\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(r.writes, ['{"n":1}\n{"n":2}\n{"n":3}\n', '{"n":4}\n']);
});

test('a flush, synchronous or not, takes the lines of the current turn along', async () => {
  const r = recorder();
  const out = new BatchedStdout(r.destination);
  out.write('{"n":1}\n');
  out.flushSync();
  assert.deepEqual(r.flushed, ['{"n":1}\n'], 'at exit nothing is left behind');
  out.write('{"n":2}\n');
  await new Promise<void>((resolve) => out.flush(() => resolve()));
  assert.deepEqual(r.flushed, ['{"n":1}\n', '{"n":2}\n']);
});
