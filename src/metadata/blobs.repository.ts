import type { Db } from './metadata.js';
import { preparedQuery, runsDirectly } from './prepared-query.js';

export interface LinkedBlob {
  digest: string;
  size: number;
}

/** The blob by repository name, in one query (the blob GET/HEAD hot path). */
export async function findLinkedBlobByName(db: Db, repository: string, digest: string): Promise<LinkedBlob | undefined> {
  return (await linkedBlobByName(db, repository, digest)).rows[0];
}

const linkedBlobByName = preparedQuery((db, repository: string, digest: string) =>
  db
    .selectFrom('repository_blobs as rb')
    .innerJoin('repositories as r', 'r.id', 'rb.repository_id')
    .innerJoin('blobs as b', 'b.digest', 'rb.digest')
    .select(['b.digest', 'b.size'])
    .where('r.name', '=', repository)
    .where('rb.digest', '=', digest)
    .where('b.state', '=', 'active'),
  { cached: true },
);

export async function findBlob(db: Db, digest: string): Promise<{ size: number; state: string } | undefined> {
  return (await blobByDigest(db, digest)).rows[0];
}

const blobByDigest = preparedQuery((db, digest: string) => db.selectFrom('blobs').select(['size', 'state']).where('digest', '=', digest));

/** Records content that a manifest row references at once (garbage collection has no review to make); a row that exists already is kept as it is. */
export async function insertReferencedBlob(db: Db, digest: string, size: number, now: number): Promise<void> {
  await insertReferencedBlobRow(db, digest, size, now);
}

const insertReferencedBlobRow = preparedQuery((db, digest: string, size: number, now: number) =>
  db
    .insertInto('blobs')
    .values({ digest, size, state: 'active', created_at: now, review_after: null })
    .onConflict((oc) => oc.column('digest').doNothing()),
);

/**
 * Records uploaded content that nothing references yet: garbage collection looks at a new row after
 * `reviewAfter` if nothing references it by then; a row that exists keeps its size and state, and its
 * review, if it has one, moves to `reviewAfter` when that is later (as postponeReview does).
 */
export async function insertOrPostponeBlob(db: Db, digest: string, size: number, now: number, reviewAfter: number): Promise<void> {
  await upsertBlobRow(db, digest, size, now, reviewAfter);
}

const upsertBlobRow = preparedQuery((db, digest: string, size: number, now: number, reviewAfter: number) =>
  db
    .insertInto('blobs')
    .values({ digest, size, state: 'active', created_at: now, review_after: reviewAfter })
    .onConflict((oc) =>
      oc
        .column('digest')
        .doUpdateSet((eb) => ({ review_after: eb.ref('excluded.review_after') }))
        .where('blobs.review_after', '<', (eb) => eb.ref('excluded.review_after')),
    ),
);

/** A blob under review is not looked at before `until` (it was just uploaded or mounted again). */
export async function postponeReview(db: Db, digest: string, until: number): Promise<void> {
  await postponeReviewRow(db, digest, until);
}

const postponeReviewRow = preparedQuery((db, digest: string, until: number) =>
  db.updateTable('blobs').set({ review_after: until }).where('digest', '=', digest).where('review_after', '<', until),
);

export async function linkBlob(db: Db, repositoryId: number, digest: string, now: number): Promise<void> {
  await insertLink(db, repositoryId, digest, now);
}

const insertLink = preparedQuery((db, repositoryId: number, digest: string, now: number) =>
  db
    .insertInto('repository_blobs')
    .values({ repository_id: repositoryId, digest, created_at: now })
    .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing()),
);

/** Removes the link; returns whether there was one. */
export async function unlinkBlob(db: Db, repositoryId: number, digest: string): Promise<boolean> {
  const result = await db
    .deleteFrom('repository_blobs')
    .where('repository_id', '=', repositoryId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Of `digests`, those the repository links and that are active. */
export async function linkedDigests(db: Db, repositoryId: number, digests: string[]): Promise<Set<string>> {
  if (runsDirectly(db)) {
    const linked = new Set<string>();
    for (const digest of new Set(digests)) if ((await activeLink(db, repositoryId, digest)).rows.length > 0) linked.add(digest);
    return linked;
  }
  if (digests.length === 0) return new Set();
  const rows = await db
    .selectFrom('repository_blobs as rb')
    .innerJoin('blobs as b', 'b.digest', 'rb.digest')
    .select('rb.digest')
    .where('rb.repository_id', '=', repositoryId)
    .where('rb.digest', 'in', digests)
    .where('b.state', '=', 'active')
    .execute();
  return new Set(rows.map((row) => row.digest));
}

const activeLink = preparedQuery((db, repositoryId: number, digest: string) =>
  db
    .selectFrom('repository_blobs as rb')
    .innerJoin('blobs as b', 'b.digest', 'rb.digest')
    .select('rb.digest')
    .where('rb.repository_id', '=', repositoryId)
    .where('rb.digest', '=', digest)
    .where('b.state', '=', 'active'),
);

/** Queues blobs for garbage-collection review after `reviewAfter` (they may have lost their last reference). */
export async function queueBlobReview(db: Db, digests: string[], reviewAfter: number): Promise<void> {
  // In slices: SQLite caps the number of bound parameters of one statement.
  for (let i = 0; i < digests.length; i += 500) {
    await db.updateTable('blobs').set({ review_after: reviewAfter }).where('digest', 'in', digests.slice(i, i + 500)).execute();
  }
}

/** Every digest the repository holds: the blobs it links and its manifests' own bytes. */
export async function digestsOfRepository(db: Db, repositoryId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('repository_blobs')
    .select('digest')
    .where('repository_id', '=', repositoryId)
    .union(db.selectFrom('manifests').select('digest').where('repository_id', '=', repositoryId))
    .execute();
  return rows.map((row) => row.digest);
}
