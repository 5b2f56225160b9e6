// `npm run bench:gc-lifecycle`: lifecycle evaluation of a repository with 10,000 images (target < 2 s), and
// garbage-collection review and delete throughput for 100,000 unreferenced blobs on SQLite + fs (target
// ≥ 1,000 blobs/s). Berth alone: Distribution has no lifecycle policies, and its garbage collection is an
// offline command that needs the registry read-only. Not a test: figures are printed, never asserted.
//
//   BENCH_IMAGES=10000   images in the lifecycle repository
//   BENCH_BLOBS=100000   unreferenced blobs for the collector
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backgroundContext } from '../src/core/context.js';
import { parseDigest } from '../src/core/digest.js';
import { runLifecyclePolicy } from '../src/lifecycle/lifecycle.service.js';
import { openSqlite } from '../src/metadata/dialects/sqlite.js';
import type { Metadata } from '../src/metadata/metadata.js';
import { collectGarbage } from '../src/registry/garbage-collection.js';
import { createRegistry, type Registry } from '../src/registry/registry.js';
import { createRepository } from '../src/registry/repositories.service.js';
import { FsBlobDriver } from '../src/storage/fs/fs-driver.js';
import { contentKey } from '../src/storage/keys.js';

const envInt = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const IMAGES = envInt('BENCH_IMAGES', 10_000);
const BLOBS = envInt('BENCH_BLOBS', 100_000);
const DAY = 86_400_000;
const ctx = backgroundContext();
const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

async function open(dir: string, now: () => number): Promise<{ registry: Registry; metadata: Metadata }> {
  const storage = new FsBlobDriver(path.join(dir, 'blobs'));
  await storage.init();
  const metadata = await openSqlite(path.join(dir, 'berth.db'));
  const registry = createRegistry({ metadata, storage, clock: { now: () => new Date(now()) }, settings: { createOnPush: true, gcGraceMs: 60_000 } });
  return { registry, metadata };
}

/** 10,000 images (a config and a layer each, tagged release-N or untagged), written as rows in bulk. */
async function seedImages(registry: Registry, repository: string): Promise<void> {
  const repo = await createRepository(registry, repository, { imageTagMutability: 'MUTABLE', imageTagMutabilityExclusions: null, scanOnPush: false, encryptionType: 'AES256', kmsKey: null }, []);
  const now = Date.now();
  await registry.metadata.transaction(async (trx) => {
    for (let i = 0; i < IMAGES; i++) {
      const [manifest, config, layer] = [sha(`manifest ${i}`), sha(`config ${i}`), sha(`layer ${i}`)];
      const pushedAt = now - (IMAGES - i) * 60_000;
      await trx.insertInto('blobs').values([manifest, config, layer].map((digest, k) => ({ digest, size: [500, 1500, 1_000_000][k]!, state: 'active', created_at: pushedAt, review_after: null }))).execute();
      await trx.insertInto('repository_blobs').values([config, layer].map((digest) => ({ repository_id: repo.id, digest, created_at: pushedAt }))).execute();
      await trx
        .insertInto('manifests')
        .values({ repository_id: repo.id, digest: manifest, media_type: 'application/vnd.oci.image.manifest.v1+json', size: 500, artifact_type: null, subject_digest: null, annotations: null, pushed_at: pushedAt, last_pulled_at: null })
        .execute();
      await trx.insertInto('manifest_references').values([config, layer].map((child) => ({ repository_id: repo.id, manifest_digest: manifest, child_digest: child, kind: 'blob' as const }))).execute();
      if (i % 3 !== 0) await trx.insertInto('tags').values({ repository_id: repo.id, name: `release-${i}`, manifest_digest: manifest, updated_at: pushedAt }).execute();
    }
  });
}

const POLICY = JSON.stringify({
  rules: [
    { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
    { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 500 }, action: { type: 'expire' } },
  ],
});

async function lifecycleBench(dir: string): Promise<Record<string, number>> {
  const { registry, metadata } = await open(dir, () => Date.now() + 2 * DAY);
  await seedImages(registry, 'bench/lifecycle');
  await registry.metadata.db.insertInto('lifecycle_policies').values({ repository_id: 1, policy_text: POLICY, updated_at: Date.now(), last_evaluated_at: null }).execute();
  const t0 = performance.now();
  const preview = await runLifecyclePolicy(registry, 'bench/lifecycle', { dryRun: true });
  const evaluateS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const run = await runLifecyclePolicy(registry, 'bench/lifecycle');
  const expireS = (performance.now() - t1) / 1000;
  await metadata.close();
  return { images: IMAGES, selected: preview.decisions.length, evaluate_s: round(evaluateS), expired: run.expired.length, evaluate_and_expire_s: round(expireS), expired_per_s: Math.round(run.expired.length / expireS) };
}

async function gcBench(dir: string): Promise<Record<string, number>> {
  let now = Date.now();
  const { registry, metadata } = await open(dir, () => now);
  const seedStart = performance.now();
  const batch = 1000;
  for (let start = 0; start < BLOBS; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(BLOBS, start + batch); i++) {
      const bytes = Buffer.from(`unreferenced blob ${i}`);
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      await registry.storage.put(ctx, contentKey(parseDigest(digest)), bytes);
      rows.push({ digest, size: bytes.length, state: 'active' as const, created_at: now, review_after: now + 60_000 });
    }
    await metadata.db.insertInto('blobs').values(rows).execute();
  }
  const seedS = (performance.now() - seedStart) / 1000;
  now += 61_000;
  const t0 = performance.now();
  const report = await collectGarbage(registry, ctx);
  const gcS = (performance.now() - t0) / 1000;
  await metadata.close();
  return { blobs: BLOBS, seed_s: round(seedS), reviewed: report.reviewed, deleted: report.deleted, gc_s: round(gcS), blobs_per_s: Math.round(report.deleted / gcS) };
}

const round = (x: number) => Math.round(x * 100) / 100;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-gc-'));
try {
  process.stdout.write(`Berth lifecycle and GC bench: ${IMAGES} images, ${BLOBS} blobs, ${os.cpus().length} CPUs, load ${os.loadavg().map(round).join(' ')}\n`);
  const lifecycle = await lifecycleBench(path.join(tmp, 'lifecycle'));
  process.stdout.write(`  lifecycle  ${JSON.stringify(lifecycle)}\n`);
  const gc = await gcBench(path.join(tmp, 'gc'));
  process.stdout.write(`  gc         ${JSON.stringify(gc)}\n\n`);
  process.stdout.write(
    [
      '| scenario | Berth | target |',
      '|---|---|---|',
      `| lifecycle evaluation, ${IMAGES} images (dry run) | ${lifecycle.evaluate_s} s | < 2 s ${lifecycle.evaluate_s! < 2 ? '✔' : '✘'} |`,
      `| lifecycle run, evaluate + expire ${lifecycle.expired} images | ${lifecycle.evaluate_and_expire_s} s (${lifecycle.expired_per_s} images/s) | — |`,
      `| GC review + delete, ${BLOBS} unreferenced blobs, SQLite + fs | ${gc.blobs_per_s} blobs/s (${gc.gc_s} s) | ≥ 1000/s ${gc.blobs_per_s! >= 1000 ? '✔' : '✘'} |`,
    ].join('\n') + '\n',
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
