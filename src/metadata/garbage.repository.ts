import type { Db } from './metadata.js';

/** A blob the sweeper looks at. */
export interface BlobUnderReview {
  digest: string;
  size: number;
}

/** Active blobs whose review is due at `now`, by digest after `after`. */
export async function dueBlobs(db: Db, now: number, limit: number, after?: string): Promise<BlobUnderReview[]> {
  let query = db.selectFrom('blobs').select(['digest', 'size']).where('state', '=', 'active').where('review_after', '<=', now).orderBy('digest').limit(limit);
  if (after !== undefined) query = query.where('digest', '>', after);
  return query.execute();
}

/** Blobs left `deleting` (their bytes are being, or were being, removed when a process stopped). */
export async function deletingBlobs(db: Db, limit: number): Promise<BlobUnderReview[]> {
  return db.selectFrom('blobs').select(['digest', 'size']).where('state', '=', 'deleting').orderBy('digest').limit(limit).execute();
}

/** Of `digests`, those some manifest is made of (its own bytes) or references (layer, config, index child). */
export async function referencedDigests(db: Db, digests: string[]): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const [own, children] = await Promise.all([
    db.selectFrom('manifests').select('digest').distinct().where('digest', 'in', digests).execute(),
    db.selectFrom('manifest_references').select('child_digest as digest').distinct().where('child_digest', 'in', digests).execute(),
  ]);
  return new Set([...own, ...children].map((row) => row.digest));
}

/** Of `digests`, the active rows still due at `now` (a push may have postponed or ended the review since). */
export async function stillDue(db: Db, digests: string[], now: number): Promise<BlobUnderReview[]> {
  if (digests.length === 0) return [];
  return db.selectFrom('blobs').select(['digest', 'size']).where('digest', 'in', digests).where('state', '=', 'active').where('review_after', '<=', now).execute();
}

/** Ends the review of blobs that turned out referenced: they wait for their next last reference to go. */
export async function endReview(db: Db, digests: string[]): Promise<void> {
  if (digests.length === 0) return;
  await db.updateTable('blobs').set({ review_after: null }).where('digest', 'in', digests).execute();
}

/** Unlinks the blobs from every repository and marks them `deleting`: from here on no one can use them. */
export async function markDeleting(db: Db, digests: string[]): Promise<void> {
  if (digests.length === 0) return;
  await db.deleteFrom('repository_blobs').where('digest', 'in', digests).execute();
  await db.updateTable('blobs').set({ state: 'deleting', review_after: null }).where('digest', 'in', digests).execute();
}

/** Removes the rows of blobs whose bytes are gone. */
export async function deleteBlobRows(db: Db, digests: string[]): Promise<void> {
  if (digests.length === 0) return;
  await db.deleteFrom('repository_blobs').where('digest', 'in', digests).execute();
  await db.deleteFrom('blobs').where('digest', 'in', digests).where('state', '=', 'deleting').execute();
}

export interface StaleUpload {
  id: string;
  size: number;
  driver_state: string;
  updated_at: number;
}

/** Upload sessions untouched since before `before`, oldest first, skipping `offset` of them. */
export async function staleUploads(db: Db, before: number, limit: number, offset = 0): Promise<StaleUpload[]> {
  return db
    .selectFrom('uploads')
    .select(['id', 'size', 'driver_state', 'updated_at'])
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Removes an upload row unless it moved since it was read stale; returns whether it was removed. */
export async function deleteStaleUpload(db: Db, id: string, updatedAt: number): Promise<boolean> {
  const result = await db.deleteFrom('uploads').where('id', '=', id).where('updated_at', '=', updatedAt).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface GarbageQueue {
  /** Blobs whose last reference went, waiting for the grace period. */
  waiting: number;
  waitingBytes: number;
  /** Of those, the ones due for review now. */
  due: number;
  dueBytes: number;
  /** Blobs being deleted. */
  deleting: number;
}

export async function garbageQueue(db: Db, now: number): Promise<GarbageQueue> {
  const rows = await db
    .selectFrom('blobs')
    .select((eb) => [
      eb.fn.count<number>('digest').as('n'),
      eb.fn.coalesce(eb.fn.sum<number>('size'), eb.val(0)).as('bytes'),
      eb
        .case()
        .when('state', '=', 'deleting')
        .then('deleting')
        .when('review_after', '<=', now)
        .then('due')
        .else('waiting')
        .end()
        .as('bucket'),
    ])
    .where((w) => w.or([w('state', '=', 'deleting'), w('review_after', 'is not', null)]))
    .groupBy('bucket')
    .execute();
  const of = (bucket: string) => rows.find((row) => row.bucket === bucket);
  const count = (bucket: string) => Number(of(bucket)?.n ?? 0);
  const bytes = (bucket: string) => Number(of(bucket)?.bytes ?? 0);
  return { waiting: count('waiting') + count('due'), waitingBytes: bytes('waiting') + bytes('due'), due: count('due'), dueBytes: bytes('due'), deleting: count('deleting') };
}

/** Of `digests`, those with no blob row at all. */
export async function digestsWithoutRows(db: Db, digests: string[]): Promise<string[]> {
  if (digests.length === 0) return [];
  const rows = await db.selectFrom('blobs').select('digest').where('digest', 'in', digests).execute();
  const known = new Set(rows.map((row) => row.digest));
  return digests.filter((digest) => !known.has(digest));
}

/**
 * Claims stored bytes that have no row (a push that failed or a process that died after writing
 * them): inserts each as `deleting` unless a row appeared meanwhile, so a push of the same content now
 * waits for the deletion. Returns the ones claimed.
 */
export async function claimOrphans(db: Db, orphans: BlobUnderReview[], now: number): Promise<BlobUnderReview[]> {
  const claimed: BlobUnderReview[] = [];
  for (const orphan of orphans) {
    const inserted = await db
      .insertInto('blobs')
      .values({ digest: orphan.digest, size: orphan.size, state: 'deleting', created_at: now, review_after: null })
      .onConflict((oc) => oc.column('digest').doNothing())
      .returning('digest')
      .executeTakeFirst();
    if (inserted) claimed.push(orphan);
  }
  return claimed;
}

/** Of upload ids, those with no upload row. */
export async function uploadIdsWithoutRows(db: Db, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('uploads').select('id').where('id', 'in', ids).execute();
  const known = new Set(rows.map((row) => row.id));
  return ids.filter((id) => !known.has(id));
}
