import type { OpContext } from '../core/context.js';
import { parseDigest } from '../core/digest.js';
import {
  deleteBlobRows,
  deleteStaleUpload,
  deletingBlobs,
  dueBlobs,
  endReview,
  garbageQueue,
  markDeleting,
  referencedDigests,
  staleUploads,
  stillDue,
  claimOrphans,
  digestsWithoutRows,
  uploadIdsWithoutRows,
  type BlobUnderReview,
  type GarbageQueue,
} from '../metadata/garbage.repository.js';
import { CONTENT_PREFIX, contentKey, digestOfContentKey, UPLOADS_PREFIX } from '../storage/keys.js';
import type { Registry } from './registry.js';
import { fromStorageError } from './storage-errors.js';

/** What one garbage-collection run found and did (with dryRun: what it would do). */
export interface GarbageReport {
  readonly dryRun: boolean;
  /** The queue before the run. */
  readonly queue: GarbageQueue;
  /** Blobs whose review was due and that the run looked at. */
  reviewed: number;
  /** Of those, the ones still referenced: their review ended. */
  kept: number;
  /** Blobs whose bytes and row were removed (left over from an earlier run included). */
  deleted: number;
  bytesFreed: number;
  /** Upload sessions untouched for the grace period, removed with their bytes. */
  uploadsExpired: number;
  /** With scrub: stored objects that had no row, older than the grace period, removed (counted in deleted too). */
  orphansRemoved: number;
}

const BATCH = 100;

/**
 * Online garbage collection (ARCHITECTURE.md): never read-only, never inline. A blob whose last
 * reference went, or that was uploaded and never referenced, is reviewed once its grace period is over.
 * One transaction per batch re-checks the references and marks the unreferenced ones `deleting`,
 * unlinking them, so a concurrent manifest push either commits first (and the blob is kept) or finds the
 * blob gone (MANIFEST_BLOB_UNKNOWN). Then the bytes go, then the rows. A run interrupted anywhere is
 * finished by the next one: `deleting` rows are swept again, and deleting bytes is idempotent.
 */
export async function collectGarbage(registry: Registry, ctx: OpContext, options: { dryRun?: boolean; scrub?: boolean } = {}): Promise<GarbageReport> {
  const dryRun = options.dryRun ?? false;
  const now = registry.clock.now().getTime();
  const db = registry.metadata.db;
  const report: GarbageReport = { dryRun, queue: await garbageQueue(db, now), reviewed: 0, kept: 0, deleted: 0, bytesFreed: 0, uploadsExpired: 0, orphansRemoved: 0 };

  if (!dryRun) {
    for (let leftover = await deletingBlobs(db, BATCH); leftover.length > 0; leftover = await deletingBlobs(db, BATCH)) {
      await removeBytesAndRows(registry, ctx, leftover, report);
    }
  }
  let after: string | undefined;
  for (;;) {
    const due = await dueBlobs(db, now, BATCH, after);
    if (due.length === 0) break;
    after = due.at(-1)!.digest;
    const { keep, doomed } = dryRun ? await classify(registry, due) : await registry.metadata.transaction((trx) => markBatch(trx, due, now));
    report.reviewed += keep.length + doomed.length;
    report.kept += keep.length;
    if (dryRun) {
      report.deleted += doomed.length;
      report.bytesFreed += doomed.reduce((sum, blob) => sum + blob.size, 0);
    } else {
      await removeBytesAndRows(registry, ctx, doomed, report);
    }
  }
  report.uploadsExpired = await expireUploads(registry, ctx, now - registry.settings.gcGraceMs, dryRun);
  if (options.scrub) await scrubStore(registry, ctx, now - registry.settings.gcGraceMs, dryRun, report);
  return report;
}

/**
 * The slow pass over the store (never needed to answer a question about names): objects older than the
 * grace period that no row knows of — bytes written by a push that then failed, or by a process that
 * died before its transaction — are claimed as `deleting` and removed like any other garbage.
 */
async function scrubStore(registry: Registry, ctx: OpContext, before: number, dryRun: boolean, report: GarbageReport): Promise<void> {
  const db = registry.metadata.db;
  let batch: BlobUnderReview[] = [];
  const flush = async () => {
    const missing = new Set(await digestsWithoutRows(db, batch.map((blob) => blob.digest)));
    const orphans = batch.filter((blob) => missing.has(blob.digest));
    batch = [];
    const claimed = dryRun ? orphans : await registry.metadata.transaction((trx) => claimOrphans(trx, orphans, registry.clock.now().getTime()));
    report.orphansRemoved += claimed.length;
    if (dryRun) {
      report.deleted += claimed.length;
      report.bytesFreed += claimed.reduce((sum, blob) => sum + blob.size, 0);
    } else {
      await removeBytesAndRows(registry, ctx, claimed, report);
    }
  };
  for await (const object of registry.storage.list(ctx, CONTENT_PREFIX)) {
    const digest = digestOfContentKey(object.key);
    if (!digest || object.modified.getTime() >= before) continue;
    batch.push({ digest, size: object.size });
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();

  // Upload bytes whose session row is gone (the row was removed, or never written before a crash).
  const stale = new Map<string, string[]>();
  for await (const object of registry.storage.list(ctx, UPLOADS_PREFIX)) {
    const id = object.key.slice(UPLOADS_PREFIX.length).split('/')[0]!;
    if (object.modified.getTime() < before) stale.set(id, [...(stale.get(id) ?? []), object.key]);
  }
  for (const id of await uploadIdsWithoutRows(db, [...stale.keys()])) {
    if (!dryRun) await registry.storage.deleteMany(ctx, stale.get(id)!).catch((err: unknown) => ctx.log.warn({ err, upload: id }, 'could not remove an abandoned upload'));
    report.uploadsExpired++;
  }
}

type Db = Registry['metadata']['db'];

async function classify(registry: Registry, due: BlobUnderReview[]): Promise<{ keep: BlobUnderReview[]; doomed: BlobUnderReview[] }> {
  const referenced = await referencedDigests(registry.metadata.db, due.map((blob) => blob.digest));
  return { keep: due.filter((blob) => referenced.has(blob.digest)), doomed: due.filter((blob) => !referenced.has(blob.digest)) };
}

/** In one transaction: the blobs still due are kept when referenced, else unlinked and marked `deleting`. */
async function markBatch(trx: Db, due: BlobUnderReview[], now: number): Promise<{ keep: BlobUnderReview[]; doomed: BlobUnderReview[] }> {
  const candidates = await stillDue(trx, due.map((blob) => blob.digest), now);
  const referenced = await referencedDigests(trx, candidates.map((blob) => blob.digest));
  const keep = candidates.filter((blob) => referenced.has(blob.digest));
  const doomed = candidates.filter((blob) => !referenced.has(blob.digest));
  await endReview(trx, keep.map((blob) => blob.digest));
  await markDeleting(trx, doomed.map((blob) => blob.digest));
  return { keep, doomed };
}

async function removeBytesAndRows(registry: Registry, ctx: OpContext, blobs: BlobUnderReview[], report: GarbageReport): Promise<void> {
  if (blobs.length === 0) return;
  try {
    await registry.storage.deleteMany(ctx, blobs.map((blob) => contentKey(parseDigest(blob.digest))));
  } catch (err) {
    // The rows stay `deleting`: the next run deletes them again.
    throw fromStorageError(err);
  }
  await deleteBlobRows(registry.metadata.db, blobs.map((blob) => blob.digest));
  report.deleted += blobs.length;
  report.bytesFreed += blobs.reduce((sum, blob) => sum + blob.size, 0);
}

/** Upload sessions idle since before `before`: their rows go first (so no one resumes them), then their bytes. */
async function expireUploads(registry: Registry, ctx: OpContext, before: number, dryRun: boolean): Promise<number> {
  // Sessions with no bytes yet that this process holds (see PendingUploads) have nothing to remove but themselves.
  const pending = registry.pendingUploads?.expire(before, dryRun) ?? 0;
  let expired = 0;
  for (;;) {
    const stale = await staleUploads(registry.metadata.db, before, BATCH, dryRun ? expired : 0);
    if (stale.length === 0) return pending + expired;
    for (const upload of stale) {
      if (dryRun) {
        expired++;
        continue;
      }
      if (!(await deleteStaleUpload(registry.metadata.db, upload.id, upload.updated_at))) continue;
      registry.uploadHashes.forget(upload.id);
      await registry.storage.abortUpload(ctx, { id: upload.id, size: upload.size, state: upload.driver_state }).catch((err: unknown) => {
        ctx.log.warn({ err, upload: upload.id }, 'could not remove the bytes of an expired upload');
      });
      expired++;
    }
  }
}
