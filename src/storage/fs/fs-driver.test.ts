import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { backgroundContext } from '../../core/context.js';
import { runBlobDriverSuite } from '../blob-driver.suite.js';
import { FsBlobDriver } from './fs-driver.js';
import { pipeSlowly } from '../../../test/helpers/slow-sink.js';

const ctx = backgroundContext();
const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function newRoot(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-fs-'));
  roots.push(root);
  return root;
}

/** A driver over `root` (a new folder when none is given), as a process opens it at start. */
async function openDriver(root?: string): Promise<FsBlobDriver> {
  const driver = new FsBlobDriver(root ?? (await newRoot()));
  await driver.init();
  return driver;
}

runBlobDriverSuite('fs driver', () => openDriver());

test('fs driver: an upload appended before a restart commits after it (the new process syncs the file itself)', async () => {
  const root = await newRoot();
  const before = await openDriver(root);
  let ref = await before.createUpload(ctx, 'u1');
  ref = await before.appendUpload(ctx, ref, chunks('first '));
  ref = await before.appendUpload(ctx, ref, chunks('second'));
  await before.close();

  const after = await openDriver(root);
  await after.commitUpload(ctx, ref, 'blobs/x/ab/restarted');
  const parts: Buffer[] = [];
  for await (const part of await after.read(ctx, 'blobs/x/ab/restarted')) parts.push(part as Buffer);
  assert.equal(Buffer.concat(parts).toString(), 'first second');
  assert.equal(await after.stat(ctx, `uploads/u1`), null);
  await after.close();
});

test('fs driver: chunks appended back to back, each answered before its sync, commit whole', async () => {
  const driver = await openDriver();
  let ref = await driver.createUpload(ctx, 'u2');
  const piece = Buffer.alloc(3 << 20, 7);
  for (let i = 0; i < 8; i++) ref = await driver.appendUpload(ctx, ref, chunks(piece));
  await driver.commitUpload(ctx, ref, 'blobs/x/ab/chunked');
  assert.equal((await driver.stat(ctx, 'blobs/x/ab/chunked'))?.size, 8 * piece.length);
  await driver.close();
});

async function* chunks(...parts: (string | Buffer)[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

test('fs driver: a read piped to a slow destination arrives whole, through the few buffers the pipe reuses', async () => {
  const driver = await openDriver();
  const bytes = randomBytes((5 << 20) + 12345);
  await driver.put(ctx, 'blobs/x/ab/piped', bytes);
  const source = await driver.read(ctx, 'blobs/x/ab/piped', { start: 100, end: bytes.length - 1 });
  assert.ok((await pipeSlowly(source, 2)).equals(bytes.subarray(100)));
  await driver.close();
});

test('fs driver: a piped read whose destination goes away stops, and closes its file', async () => {
  const driver = await openDriver();
  await driver.put(ctx, 'blobs/x/ab/abandoned', randomBytes(8 << 20));
  let chunks = 0;
  const failing = new Writable({
    write(_chunk, _encoding, callback) {
      chunks++;
      callback(chunks === 2 ? new Error('client went away') : null);
    },
  });
  const source = await driver.read(ctx, 'blobs/x/ab/abandoned');
  await assert.rejects(pipeline(source, failing), /client went away/);
  assert.ok(chunks < 8, 'it stopped reading');
  assert.ok(source.destroyed);
  await driver.close();
});

test('fs driver: puts of one key at once take turns, so the last one started is what the key holds, whole', async () => {
  const driver = await openDriver();
  const slow = randomBytes(32 << 20);
  const quick = randomBytes(100);
  // Unserialised, the quick put would rename its file into place first and the slow one's would replace it.
  await Promise.all([driver.put(ctx, 'blobs/x/cd/same', slow), driver.put(ctx, 'blobs/x/cd/same', quick)]);
  const read = Buffer.concat(await (await driver.read(ctx, 'blobs/x/cd/same')).toArray());
  assert.ok(read.equals(quick), `the key holds ${read.length} bytes, not the last put's ${quick.length}`);
  await driver.close();
});
