import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ecrHeaders } from './helpers/ecr-client.js';
import { startServerProcess, stopProcess } from './helpers/server-process.js';

async function describeRegistry(url: string, key: { accessKeyId: string; secretAccessKey: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = '{}';
  const res = await fetch(`${url}/`, { method: 'POST', headers: ecrHeaders('DescribeRegistry', body, new URL(url).host, { key }), body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function parseCredentials(text: string): { accessKeyId: string; secretAccessKey: string } {
  const id = /^aws_access_key_id = (\S+)$/m.exec(text)?.[1];
  const secret = /^aws_secret_access_key = (\S+)$/m.exec(text)?.[1];
  assert.ok(text.startsWith('[default]\n') && id && secret, text);
  return { accessKeyId: id, secretAccessKey: secret };
}

test('first start generates the root key into admin-credentials (0600), never logs the secret, and keeps it across restarts', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-bootstrap-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const file = path.join(dataDir, 'admin-credentials');
  const first = await startServerProcess(dataDir, { BERTH_LOG_LEVEL: 'info', BERTH_ACCOUNT_ID: '111122223333' });
  let key;
  try {
    key = parseCredentials(await readFile(file, 'utf8'));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(((await stat(path.join(dataDir, 'master.key'))).mode & 0o777), 0o600);
    const res = await describeRegistry(first.url, key);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.registryId, '111122223333');
  } finally {
    assert.equal(await stopProcess(first.child), 0);
  }
  assert.match(first.output(), /admin-credentials/);
  assert.ok(!first.output().includes(key.secretAccessKey), 'the secret reached the log');

  await rm(file);
  const second = await startServerProcess(dataDir, { BERTH_ACCOUNT_ID: '111122223333' });
  try {
    assert.equal((await describeRegistry(second.url, key)).status, 200);
    await assert.rejects(stat(file), 'a second key was generated although the root has one');
  } finally {
    await stopProcess(second.child);
  }
});

test('BERTH_ADMIN_ACCESS_KEY_ID and _SECRET set the root key; a changed secret replaces the old one', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-bootstrap-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const key = { accessKeyId: 'AKIABOOTSTRAPTEST001', secretAccessKey: 'first/secret/of/the/bootstrap/test/00000' };
  const first = await startServerProcess(dataDir, { BERTH_ADMIN_ACCESS_KEY_ID: key.accessKeyId, BERTH_ADMIN_SECRET_ACCESS_KEY: key.secretAccessKey });
  try {
    assert.equal((await describeRegistry(first.url, key)).status, 200);
    await assert.rejects(stat(path.join(dataDir, 'admin-credentials')));
  } finally {
    await stopProcess(first.child);
  }
  const changed = { ...key, secretAccessKey: 'second/secret/of/the/bootstrap/test/0000' };
  const second = await startServerProcess(dataDir, { BERTH_ADMIN_ACCESS_KEY_ID: changed.accessKeyId, BERTH_ADMIN_SECRET_ACCESS_KEY: changed.secretAccessKey });
  try {
    assert.equal((await describeRegistry(second.url, changed)).status, 200);
    const old = await describeRegistry(second.url, key);
    assert.equal(old.body.__type, 'InvalidSignatureException');
  } finally {
    await stopProcess(second.child);
  }
});

test('a copy of the database alone holds no secret', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-bootstrap-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const key = { accessKeyId: 'AKIABOOTSTRAPTEST002', secretAccessKey: 'plain/secret/that/must/not/be/in/the/db0' };
  const server = await startServerProcess(dataDir, { BERTH_ADMIN_ACCESS_KEY_ID: key.accessKeyId, BERTH_ADMIN_SECRET_ACCESS_KEY: key.secretAccessKey });
  await stopProcess(server.child);
  const db = await readFile(path.join(dataDir, 'berth.db'));
  assert.ok(db.includes(Buffer.from(key.accessKeyId)), 'the key id should be in the database');
  assert.ok(!db.includes(Buffer.from(key.secretAccessKey)), 'the secret is in the database in clear');
});
