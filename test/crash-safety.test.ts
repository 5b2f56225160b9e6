import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { content, image, OCI_MANIFEST, type BuiltImage, type Content } from './helpers/images.js';
import { startServerProcess, stopProcess } from './helpers/server-process.js';

const dirs: string[] = [];
let authorization = '';

/** fetch with the root's registry credentials. */
function authed(url: string | URL, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization } });
}
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function pushBlob(url: string, repo: string, blob: Content): Promise<void> {
  const start = await authed(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(start.headers.get('location')!);
  location.searchParams.set('digest', blob.digest);
  const done = await authed(location, { method: 'PUT', body: Uint8Array.from(blob.bytes) });
  if (done.status !== 201) throw new Error(`blob PUT ${done.status}`);
}

async function pushImage(url: string, repo: string, tag: string, img: BuiltImage): Promise<void> {
  for (const blob of [...img.layers, img.config]) await pushBlob(url, repo, blob);
  const res = await authed(`${url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: Uint8Array.from(img.manifest.bytes), headers: { 'content-type': OCI_MANIFEST } });
  if (res.status !== 201) throw new Error(`manifest PUT ${res.status}`);
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Every tagged manifest the registry shows must parse and have every blob readable with matching bytes. */
async function assertEverythingVisibleIsWhole(url: string): Promise<number> {
  const catalog = (await (await authed(`${url}/v2/_catalog`)).json()) as { repositories: string[] };
  let checked = 0;
  for (const repo of catalog.repositories) {
    const { tags } = (await (await authed(`${url}/v2/${repo}/tags/list`)).json()) as { tags: string[] };
    for (const tag of tags) {
      const res = await authed(`${url}/v2/${repo}/manifests/${tag}`);
      assert.equal(res.status, 200, `${repo}:${tag}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(sha256(bytes), res.headers.get('docker-content-digest'));
      const manifest = JSON.parse(bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
      for (const { digest } of [manifest.config, ...manifest.layers]) {
        const blob = await authed(`${url}/v2/${repo}/blobs/${digest}`);
        assert.equal(blob.status, 200, `${repo}:${tag} blob ${digest}`);
        assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), digest, `${repo}:${tag} blob ${digest} bytes`);
      }
      checked++;
    }
  }
  return checked;
}

test('kill -9 during pushes leaves nothing half-written visible, and the registry works after a restart', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-crash-'));
  dirs.push(dataDir);
  const first = await startServerProcess(dataDir);
  authorization = first.authorization;

  // A large upload in flight: 8 MiB sent, then the stream stalls until the process dies.
  const large = content(randomBytes(16 * 1024 * 1024));
  const start = await authed(`${first.url}/v2/crash/large/blobs/uploads/`, { method: 'POST' });
  const uploadUrl = start.headers.get('location')!;
  await authed(uploadUrl, { method: 'PATCH', body: Uint8Array.from(large.bytes.subarray(0, 4 * 1024 * 1024)), headers: { 'content-range': `0-${4 * 1024 * 1024 - 1}` } });
  let release: () => void = () => {};
  const stalled = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(large.bytes.subarray(4 * 1024 * 1024, 8 * 1024 * 1024));
      release = () => controller.close();
    },
  });
  const hanging = authed(`${uploadUrl}?digest=${large.digest}`, { method: 'PUT', body: stalled, duplex: 'half' } as RequestInit).catch(() => undefined);

  // Small images pushed concurrently; the kill lands in the middle of them.
  const pushed: string[] = [];
  let stop = false;
  let finished = 0;
  const pushers = Array.from({ length: 4 }, async (_, worker) => {
    for (let i = 0; !stop && i < 200; i++) {
      try {
        await pushImage(first.url, `crash/app${worker}`, `t${i}`, image().layers(2, 20_000).build());
        pushed.push(`crash/app${worker}:t${i}`);
      } catch {
        break; // the server died
      }
    }
    finished++;
  });
  while (pushed.length < 12 && finished < 4) await new Promise((r) => setTimeout(r, 20));
  assert.ok(pushed.length >= 12, `the pushes before the kill failed (${pushed.length} done)`);
  await stopProcess(first.child, 'SIGKILL');
  stop = true;
  release();
  await Promise.all([...pushers, hanging]);

  const second = await startServerProcess(dataDir);
  try {
    const checked = await assertEverythingVisibleIsWhole(second.url);
    assert.ok(checked >= pushed.length, `every acknowledged push survives (${checked} visible, ${pushed.length} acknowledged)`);
    const largeHead = await authed(`${second.url}/v2/crash/large/blobs/${large.digest}`, { method: 'HEAD' });
    assert.equal(largeHead.status, 404, 'the interrupted blob is not visible');
    // The interrupted session resumes from its last acknowledged chunk.
    const status = await authed(uploadUrl.replace(first.url, second.url));
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${4 * 1024 * 1024 - 1}`);
    const resumed = await authed(`${uploadUrl.replace(first.url, second.url)}?digest=${large.digest}`, { method: 'PUT', body: Uint8Array.from(large.bytes.subarray(4 * 1024 * 1024)), headers: { 'content-range': `${4 * 1024 * 1024}-${large.bytes.length - 1}` } });
    assert.equal(resumed.status, 201, await resumed.text());
    const get = await authed(`${second.url}/v2/crash/large/blobs/${large.digest}`);
    assert.equal(sha256(Buffer.from(await get.arrayBuffer())), large.digest);
    // And new work needs no repair step.
    await pushImage(second.url, 'crash/after', 'v1', image().layers(1, 1000).build());
    assert.equal((await authed(`${second.url}/v2/crash/after/manifests/v1`)).status, 200);
  } finally {
    assert.equal(await stopProcess(second.child), 0, 'a SIGTERM stops the server cleanly');
  }
});
