// Pushes, tag moves, deletes, lifecycle runs and garbage collection, all at once for a bounded time, on a
// short grace period. At the end every manifest that can be reached has all its blobs readable, and every
// blob that nothing references and whose grace period is over is gone.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { backgroundContext } from '../src/core/context.js';
import { parseDigest } from '../src/core/digest.js';
import { runLifecyclePolicy } from '../src/lifecycle/lifecycle.service.js';
import { collectGarbage } from '../src/registry/garbage-collection.js';
import { contentKey } from '../src/storage/keys.js';
import { ecr } from './helpers/ecr-client.js';
import { content, image, type Content } from './helpers/images.js';
import { putManifest } from './helpers/oci-client.js';
import { startTestRegistry, type TestRegistry } from './helpers/test-registry.js';

const ctx = backgroundContext();
// Short, so that content expires again and again during the run; but longer than one image push takes on the
// slowest backend here (PostgreSQL and S3 on a busy 2-core machine), or the sweeper takes every push's
// blobs before its manifest arrives and no image is left to check (seen with 150 ms).
const GRACE_MS = 600;
const RUN_MS = 4_000;
const REPOS = ['stress/a', 'stress/b'];
const BASE_LAYERS = Array.from({ length: 4 }, (_, i) => content(`shared base layer ${i} `.repeat(200)));

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const until = (deadline: number) => Date.now() < deadline;

/** Pushes an image of one shared base layer and one layer of its own; transient refusals are fine. */
async function pushOne(r: TestRegistry, repo: string, tag: string): Promise<void> {
  const own = content(`own layer ${Math.random()}`);
  const base = pick(BASE_LAYERS);
  const built = image().layers(0, 0).build();
  const config = content(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: Math.random() }));
  const manifest = content(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: built.mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
      layers: [base, own].map((l: Content) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.bytes.length })),
    }),
  );
  for (const blob of [base, own, config]) await pushBlobRetrying(r, repo, blob);
  const res = await putManifest(r.app, repo, tag, manifest, built.mediaType);
  // The sweeper may take a blob between its upload and the manifest: the push is refused, never half-made.
  assert.ok(res.statusCode === 201 || /MANIFEST_BLOB_UNKNOWN|UNAVAILABLE/.test(res.body), res.body);
}

/** A blob push; 503 (the blob was being collected at that instant) is retryable, as clients retry it. */
async function pushBlobRetrying(r: TestRegistry, repo: string, blob: Content): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await r.app.inject({ method: 'POST', url: `/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, payload: blob.bytes, headers: { 'content-type': 'application/octet-stream' } });
    if (res.statusCode === 201) return;
    assert.ok(res.statusCode === 503 && attempt < 5, `${res.statusCode} ${res.body}`);
  }
}

async function deleteSome(r: TestRegistry, repo: string): Promise<void> {
  const list = await r.app.inject({ method: 'GET', url: `/v2/${repo}/tags/list` });
  const tags = list.statusCode === 200 ? ((JSON.parse(list.body) as { tags: string[] | null }).tags ?? []) : [];
  // Never the last tag: on a slow backend the deletes could outrun the pushes and leave nothing to check.
  if (tags.length <= 1) return;
  const tag = pick(tags);
  const head = await r.app.inject({ method: 'HEAD', url: `/v2/${repo}/manifests/${tag}` });
  const digest = head.headers['docker-content-digest'];
  if (typeof digest === 'string') await r.app.inject({ method: 'DELETE', url: `/v2/${repo}/manifests/${digest}` });
}

test('concurrent pushes, tag moves, deletes, lifecycle runs and garbage collection leave every image whole', async (t) => {
  const r = await startTestRegistry({ settings: { gcGraceMs: GRACE_MS } });
  t.after(() => r.close());
  for (const repo of REPOS) {
    await ecr(r.app, 'CreateRepository', { repositoryName: repo });
    await ecr(r.app, 'PutLifecyclePolicy', {
      repositoryName: repo,
      lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }] }),
    });
  }
  const deadline = Date.now() + RUN_MS;
  const loop = async (work: () => Promise<unknown>, pauseMs = 0) => {
    while (until(deadline)) {
      await work();
      if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  let gcRuns = 0;
  await Promise.all([
    loop(() => pushOne(r, pick(REPOS), `t${Math.floor(Math.random() * 8)}`)),
    loop(() => pushOne(r, pick(REPOS), `t${Math.floor(Math.random() * 8)}`)),
    loop(() => deleteSome(r, pick(REPOS)), 100),
    loop(() => runLifecyclePolicy(r.registry, pick(REPOS)), 50),
    loop(async () => {
      await collectGarbage(r.registry, ctx);
      gcRuns++;
    }, 10),
  ]);
  assert.ok(gcRuns > 10, `garbage collection ran ${gcRuns} times`);

  // Every reachable manifest: its bytes and each blob it references are readable and match their digests.
  const db = r.registry.metadata.db;
  const manifests = await db.selectFrom('manifests as m').innerJoin('repositories as rp', 'rp.id', 'm.repository_id').select(['rp.name', 'm.digest', 'm.repository_id']).execute();
  assert.ok(manifests.length > 0, 'some images remain');
  for (const m of manifests) {
    const got = await r.app.inject({ method: 'GET', url: `/v2/${m.name}/manifests/${m.digest}` });
    assert.equal(got.statusCode, 200, `${m.name}@${m.digest}`);
    const body = JSON.parse(got.body) as { config: { digest: string }; layers: { digest: string }[] };
    for (const digest of [body.config.digest, ...body.layers.map((l) => l.digest)]) {
      const blob = await r.app.inject({ method: 'GET', url: `/v2/${m.name}/blobs/${digest}` });
      assert.equal(blob.statusCode, 200, `${m.name}@${m.digest} lost ${digest}`);
      assert.equal(`sha256:${createHash('sha256').update(blob.rawPayload).digest('hex')}`, digest);
    }
  }

  // After a grace period with no traffic, one run removes everything unreferenced, bytes included.
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 50));
  await collectGarbage(r.registry, ctx, { scrub: true });
  const referenced = new Set([
    ...manifests.map((m) => m.digest),
    ...(await db.selectFrom('manifest_references').select('child_digest').execute()).map((row) => row.child_digest),
  ]);
  const rows = await db.selectFrom('blobs').select(['digest', 'state']).execute();
  const leftovers = rows.filter((row) => !referenced.has(row.digest));
  assert.deepEqual(leftovers, [], 'no unreferenced blob outlives the grace period');
  for await (const object of r.storage.list(ctx, 'blobs/')) {
    const digest = `sha256:${object.key.split('/').at(-1)}`;
    assert.ok(referenced.has(digest), `bytes of ${digest} are still stored though nothing references them`);
  }
  for (const digest of referenced) {
    assert.ok(await r.storage.stat(ctx, contentKey(parseDigest(digest))), `referenced ${digest} has its bytes`);
  }
});
