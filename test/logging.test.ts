import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../src/main.js';
import { startServerProcess, stopProcess } from './helpers/server-process.js';

test('the logger censors secrets wherever they are named', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  const logger = createLogger({ logLevel: 'info' }, sink);
  logger.info({ headers: { authorization: 'Basic c2VjcmV0' }, password: 'hunter2', credentials: { secretAccessKey: 'wJalrXUtnFEMI' } }, 'x');
  assert.equal(lines.length, 1);
  for (const secret of ['c2VjcmV0', 'hunter2', 'wJalrXUtnFEMI']) assert.ok(!lines[0]!.includes(secret), `${secret} was logged: ${lines[0]}`);
  assert.match(lines[0]!, /\[redacted\]/);
});

test('request logs name each request and leave credentials in URLs and headers out', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-log-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess(dataDir, { BERTH_LOG_LEVEL: 'info' });
  try {
    const response = await fetch(`${server.url}/v2/team/app/manifests/latest?X-Amz-Signature=sig-secret-1&token=tok-secret-2`, {
      headers: { authorization: 'Basic QVdTOnBhc3Mtc2VjcmV0LTM=' },
    });
    assert.equal(response.status, 401, 'a password this registry did not issue');
  } finally {
    assert.equal(await stopProcess(server.child), 0);
  }
  const output = server.output();
  const line = output.split('\n').find((l) => l.includes('"route":"manifest"'));
  assert.ok(line, `no request line for the manifest GET in:\n${output}`);
  assert.match(line, /"status":401/);
  for (const secret of ['sig-secret-1', 'tok-secret-2', 'QVdTOnBhc3Mtc2VjcmV0LTM']) assert.ok(!output.includes(secret), `${secret} reached the log`);
});
