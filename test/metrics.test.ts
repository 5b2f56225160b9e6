import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startServerProcess, stopProcess } from './helpers/server-process.js';

test('/metrics counts the bytes requests bring and answers take, headers included, on a real socket', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-metrics-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess(dataDir);
  try {
    const counters = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      return { received: read('berth_http_received_bytes_total'), sent: read('berth_http_sent_bytes_total'), text };
    };
    const before = await counters();
    const body = Buffer.alloc(100_000, 7);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const push = await fetch(`${server.url}/v2/metrics/app/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { authorization: server.authorization, 'content-type': 'application/octet-stream' },
      body,
    });
    assert.equal(push.status, 201, await push.text());
    const after = await counters();
    const received = after.received - before.received;
    // The blob, the request's headers and the first scrape's request; nothing counted twice.
    assert.ok(received > body.length + 200 && received < body.length + 4096, `received ${received} bytes for a ${body.length}-byte upload`);
    // At least the first scrape's answer, which had the whole metrics text in it.
    assert.ok(after.sent - before.sent > before.text.length, `sent ${after.sent - before.sent} bytes`);
    assert.match(after.text, /^berth_http_request_duration_seconds_count\{route="uploads",method="POST"\} 1$/m);
  } finally {
    assert.equal(await stopProcess(server.child), 0);
  }
});
