// Three server processes over one PostgreSQL database and one S3 bucket behave as one registry: an
// upload crosses nodes, concurrent pushes through different nodes end consistent, a moved tag is seen at
// once everywhere, a token from one node works on the others, and a node killed mid-upload loses nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { s3ForTests, type S3TestStore } from '../helpers/s3-server.js';
import { TEST_DATABASE_URL, throwawayPostgres, type ThrowawayDatabase } from '../helpers/test-database.js';
import { startBerth, type Berth } from './helpers/berth.js';
import { layoutRef, makeImage, sha256, writeLayout } from './helpers/oci-layout.js';
import { describeRun } from './helpers/process.js';
import { makeSkopeo, type Skopeo } from './helpers/skopeo.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const store = await s3ForTests();
const skip = !TEST_DATABASE_URL ? 'BERTH_TEST_DATABASE_URL is not set' : 'skip' in store ? store.skip : false;

describe('several nodes over PostgreSQL and S3', { skip }, () => {
  const s3 = store as S3TestStore;
  let database: ThrowawayDatabase;
  let prefix: string;
  let nodes: Berth[];
  let a: Berth, b: Berth, c: Berth;
  let password: string;
  let work: string;
  const bearer = new Map<string, string>();

  const logs = () => nodes.map((n) => `--- ${n.host} ---\n${n.logTail(15)}`).join('\n');

  /** A bearer token for `scope` from the first live node's token endpoint (the Docker token flow). */
  async function tokenFor(scope: string): Promise<string> {
    let token = bearer.get(scope);
    if (!token) {
      const issuer = nodes.find((n) => n.child.exitCode === null && n.child.signalCode === null)!;
      const res = await fetch(`${issuer.url}/v2/token?service=${issuer.host}&scope=${encodeURIComponent(scope)}`, {
        headers: { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` },
      });
      assert.equal(res.status, 200, await res.clone().text());
      token = ((await res.json()) as { token: string }).token;
      bearer.set(scope, token);
    }
    return token;
  }

  /** A /v2 request to `node` with a token node A issued. */
  async function call(node: Berth, method: string, pathAndQuery: string, init: { body?: Buffer | ReadableStream<Uint8Array>; headers?: Record<string, string>; redirect?: RequestRedirect } = {}): Promise<Response> {
    const name = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(pathAndQuery)?.[1];
    const scope = `repository:${name}:pull,push`;
    const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${node.url}${pathAndQuery}`;
    return fetch(url, {
      method,
      redirect: init.redirect ?? 'follow',
      headers: { authorization: `Bearer ${await tokenFor(scope)}`, ...init.headers },
      ...(init.body !== undefined ? { body: init.body, duplex: 'half' } : {}),
    } as RequestInit);
  }

  /** The upload's path on any node (its Location names the node that started it). */
  const uploadPath = (location: string) => new URL(location).pathname + new URL(location).search;
  const withDigest = (location: string, digest: string) => `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`;

  async function pushBlob(node: Berth, repository: string, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const res = await call(node, 'POST', `/v2/${repository}/blobs/uploads/?digest=${digest}`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 201, await res.text());
    return digest;
  }

  async function pushManifest(node: Berth, repository: string, tag: string, layer: Buffer): Promise<string> {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', nonce: randomBytes(8).toString('hex') }));
    const [configDigest, layerDigest] = [await pushBlob(node, repository, config), await pushBlob(node, repository, layer)];
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
      }),
    );
    const res = await call(node, 'PUT', `/v2/${repository}/manifests/${tag}`, { body: manifest, headers: { 'content-type': MANIFEST } });
    assert.equal(res.status, 201, await res.text());
    return sha256(manifest);
  }

  async function servedDigest(node: Berth, repository: string, tag: string): Promise<string | null> {
    const res = await call(node, 'HEAD', `/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST } });
    return res.headers.get('docker-content-digest');
  }

  async function openMultipartUploads(): Promise<number> {
    const listed = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: prefix }));
    return listed.Uploads?.length ?? 0;
  }

  before(async () => {
    database = await throwawayPostgres();
    const options = s3.driverOptions();
    prefix = options.prefix;
    const storageUrl = (redirect: boolean) =>
      `s3://${options.bucket}/${options.prefix}?endpoint=${encodeURIComponent(s3.endpoint)}&region=${s3.region}&forcePathStyle=true&redirect=${redirect}`;
    const shared = { BERTH_DATABASE_URL: database.url, BERTH_MASTER_KEY: randomBytes(32).toString('base64'), BERTH_TRUSTED_PROXIES: '127.0.0.1/32' };
    // Started together: their migrations and root-key bootstraps race, as in a rolling deploy.
    nodes = await Promise.all([
      startBerth({ env: { ...shared, BERTH_STORAGE_URL: storageUrl(true) } }),
      startBerth({ env: { ...shared, BERTH_STORAGE_URL: storageUrl(true) } }),
      startBerth({ env: { ...shared, BERTH_STORAGE_URL: storageUrl(false) } }),
    ]);
    [a, b, c] = nodes as [Berth, Berth, Berth];
    password = await a.loginPassword();
    work = await mkdtemp(path.join(tmpdir(), 'berth-e2e-multi-'));
  });

  after(async () => {
    await Promise.all((nodes ?? []).map((n) => n.stop()));
    await database?.drop();
    if (work) await rm(work, { recursive: true, force: true });
    await s3.stop();
  });

  test('a chunked upload started on one node is continued on the others and completed on a third', async () => {
    const parts = [randomBytes(6 * 1024 * 1024), randomBytes(1024 * 1024), randomBytes(100)];
    const whole = Buffer.concat(parts);
    const start = await call(a, 'POST', '/v2/multi/chunked/blobs/uploads/');
    assert.equal(start.status, 202);
    let location = uploadPath(start.headers.get('location')!);
    let offset = 0;
    for (const [node, part] of [[b, parts[0]!], [c, parts[1]!]] as const) {
      const res = await call(node, 'PATCH', location, {
        body: part,
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + part.length - 1}` },
      });
      assert.equal(res.status, 202, `${await res.text()}\n${logs()}`);
      offset += part.length;
      assert.equal(res.headers.get('range'), `0-${offset - 1}`);
      location = uploadPath(res.headers.get('location')!);
    }
    const status = await call(a, 'GET', location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${offset - 1}`);
    const digest = sha256(whole);
    const done = await call(b, 'PUT', withDigest(location, digest), { body: parts[2]!, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(done.status, 201, `${await done.text()}\n${logs()}`);

    // Node A redirects to the bucket (as ECR does); node C was started with redirect=false and streams.
    const redirected = await call(a, 'GET', `/v2/multi/chunked/blobs/${digest}`, { redirect: 'manual' });
    assert.equal(redirected.status, 307);
    const presigned = redirected.headers.get('location')!;
    assert.ok(presigned.startsWith(s3.endpoint), presigned);
    assert.equal(sha256(Buffer.from(await (await fetch(presigned)).arrayBuffer())), digest);
    const ranged = await fetch(presigned, { headers: { range: 'bytes=10-19' } });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), whole.subarray(10, 20));
    const streamed = await call(c, 'GET', `/v2/multi/chunked/blobs/${digest}`, { redirect: 'manual' });
    assert.equal(streamed.status, 200);
    assert.equal(sha256(Buffer.from(await streamed.arrayBuffer())), digest);
    assert.equal(await openMultipartUploads(), 0, 'no multipart upload is left open in the bucket');
  });

  test('the same blob and the same tag pushed through different nodes at once end consistent', async () => {
    const layer = randomBytes(3 * 1024 * 1024);
    for (let round = 0; round < 3; round++) {
      const pushed = await Promise.all(nodes.map((node) => pushManifest(node, 'multi/race', 'latest', layer)));
      const served = await Promise.all(nodes.map((node) => servedDigest(node, 'multi/race', 'latest')));
      assert.equal(new Set(served).size, 1, `every node serves one digest: ${served.join(', ')}`);
      assert.ok(pushed.includes(served[0]!));
    }
    const blob = await call(b, 'HEAD', `/v2/multi/race/blobs/${sha256(layer)}`);
    assert.equal(blob.status, 200);
    assert.equal(blob.headers.get('content-length'), String(layer.length));
  });

  test('a tag moved through node A is what node B serves on the next request', async () => {
    const layer = randomBytes(1024);
    for (let i = 0; i < 10; i++) {
      const digest = await pushManifest(a, 'multi/moving', 'current', layer);
      assert.equal(await servedDigest(b, 'multi/moving', 'current'), digest, `move ${i}`);
    }
  });

  test('a token issued by one node works on every node, and a forged one on none', async () => {
    for (const node of nodes) {
      const res = await call(node, 'GET', '/v2/multi/moving/tags/list');
      assert.equal(res.status, 200, node.host);
      const forged = await fetch(`${node.url}/v2/multi/moving/tags/list`, { headers: { authorization: `Bearer ${(await tokenFor('repository:multi/moving:pull,push')).slice(0, -4)}AAAA` } });
      assert.equal(forged.status, 401, node.host);
    }
  });

  test('behind a trusted proxy, Location headers use the forwarded scheme and host', async () => {
    const res = await call(b, 'POST', '/v2/multi/proxied/blobs/uploads/', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'registry.example.com' } });
    assert.equal(res.status, 202);
    assert.match(res.headers.get('location')!, /^https:\/\/registry\.example\.com\/v2\/multi\/proxied\/blobs\/uploads\//);
  });

  test('a node killed mid-upload: the client resumes on another node from the last complete chunk', async () => {
    const first = randomBytes(2 * 1024 * 1024);
    const second = randomBytes(9 * 1024 * 1024);
    const start = await call(a, 'POST', '/v2/multi/killed/blobs/uploads/');
    let location = uploadPath(start.headers.get('location')!);
    const res = await call(a, 'PATCH', location, { body: first, headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${first.length - 1}` } });
    assert.equal(res.status, 202);
    location = uploadPath(res.headers.get('location')!);

    // A chunk that is still arriving when node A dies: 8 MiB sent, the rest never comes.
    let sent = 0;
    const stalled = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8 * 1024 * 1024) return new Promise(() => {});
        controller.enqueue(second.subarray(sent, sent + 1024 * 1024));
        sent += 1024 * 1024;
      },
    });
    const cut = call(a, 'PATCH', location, { body: stalled, headers: { 'content-type': 'application/octet-stream', 'content-range': `${first.length}-${first.length + second.length - 1}` } }).catch((err: unknown) => err);
    while (sent < 8 * 1024 * 1024) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    a.child.kill('SIGKILL');
    assert.ok((await cut) instanceof Error, 'the cut-off request fails');

    // Node B reports what was durably recorded: the first chunk, never part of the lost one.
    const status = await call(b, 'GET', location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${first.length - 1}`);
    const resumed = await call(b, 'PATCH', location, { body: second, headers: { 'content-type': 'application/octet-stream', 'content-range': `${first.length}-${first.length + second.length - 1}` } });
    assert.equal(resumed.status, 202, `${await resumed.text()}\n${logs()}`);
    const digest = sha256(Buffer.concat([first, second]));
    const done = await call(c, 'PUT', withDigest(uploadPath(resumed.headers.get('location')!), digest));
    assert.equal(done.status, 201, `${await done.text()}\n${logs()}`);
    const bytes = Buffer.from(await (await call(c, 'GET', `/v2/multi/killed/blobs/${digest}`)).arrayBuffer());
    assert.equal(sha256(bytes), digest);
    assert.equal(await openMultipartUploads(), 0, "the dead node's unfinished multipart upload was cleaned up with the upload");
  });

  test('skopeo pushes through one node and copies through another', async () => {
    const skopeo: Skopeo = await makeSkopeo(logs);
    try {
      await skopeo.login(b.host, password);
      await skopeo.login(c.host, password);
      const source = path.join(work, 'layout');
      await writeLayout(source, 'v1', makeImage({ layerBytes: 7 * 1024 * 1024 }));
      await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${b.host}/multi/skopeo:v1`]);
      const copied = path.join(work, 'copied');
      const result = await skopeo.ok(['copy', '--src-tls-verify=false', `docker://${c.host}/multi/skopeo:v1`, `oci:${copied}:v1`]);
      assert.equal((await layoutRef(copied, 'v1')).digest, (await layoutRef(source, 'v1')).digest, describeRun(result));
    } finally {
      await skopeo.cleanup();
    }
  });
});
