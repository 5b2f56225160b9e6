import type { Db } from './metadata.js';

export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

/** A manifest of a repository as the ECR image listings show it. */
export interface ImageRow {
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject_digest: string | null;
  pushed_at: number;
  last_pulled_at: number | null;
}

const IMAGE_COLUMNS = ['m.digest', 'm.media_type', 'm.artifact_type', 'm.subject_digest', 'm.pushed_at', 'm.last_pulled_at'] as const;

/** Manifests of the repository by digest after `after`, at most `limit`, filtered by whether they have tags. */
export async function listImageRows(db: Db, repositoryId: number, page: { after?: string; limit: number; tagStatus: TagStatus }): Promise<ImageRow[]> {
  let query = db.selectFrom('manifests as m').select(IMAGE_COLUMNS).where('m.repository_id', '=', repositoryId).orderBy('m.digest').limit(page.limit);
  if (page.after !== undefined) query = query.where('m.digest', '>', page.after);
  if (page.tagStatus !== 'ANY') {
    query = query.where((eb) => {
      const tagged = eb.exists(
        eb.selectFrom('tags as t').select('t.name').whereRef('t.repository_id', '=', 'm.repository_id').whereRef('t.manifest_digest', '=', 'm.digest'),
      );
      return page.tagStatus === 'TAGGED' ? tagged : eb.not(tagged);
    });
  }
  return query.execute();
}

export async function findImageRows(db: Db, repositoryId: number, digests: readonly string[]): Promise<ImageRow[]> {
  if (digests.length === 0) return [];
  return db.selectFrom('manifests as m').select(IMAGE_COLUMNS).where('m.repository_id', '=', repositoryId).where('m.digest', 'in', [...digests]).execute();
}

/** The tags of each of `digests`, in lexical order. */
export async function tagsOfManifests(db: Db, repositoryId: number, digests: readonly string[]): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>();
  if (digests.length === 0) return tags;
  const rows = await db
    .selectFrom('tags')
    .select(['manifest_digest', 'name'])
    .where('repository_id', '=', repositoryId)
    .where('manifest_digest', 'in', [...digests])
    .orderBy('name')
    .execute();
  for (const row of rows) tags.set(row.manifest_digest, [...(tags.get(row.manifest_digest) ?? []), row.name]);
  return tags;
}

/** The summed size of the blobs (config and layers) each manifest references. */
export async function blobBytesOfManifests(db: Db, repositoryId: number, digests: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (digests.length === 0) return sizes;
  const rows = await db
    .selectFrom('manifest_references as r')
    .innerJoin('blobs as b', 'b.digest', 'r.child_digest')
    .select(['r.manifest_digest', (eb) => eb.fn.sum<number>('b.size').as('bytes')])
    .where('r.repository_id', '=', repositoryId)
    .where('r.manifest_digest', 'in', [...digests])
    .where('r.kind', '=', 'blob')
    .groupBy('r.manifest_digest')
    .execute();
  for (const row of rows) sizes.set(row.manifest_digest, Number(row.bytes));
  return sizes;
}

/** The child manifests of each index among `digests`. */
export async function childManifestsOf(db: Db, repositoryId: number, digests: readonly string[]): Promise<Map<string, string[]>> {
  const children = new Map<string, string[]>();
  if (digests.length === 0) return children;
  const rows = await db
    .selectFrom('manifest_references')
    .select(['manifest_digest', 'child_digest'])
    .where('repository_id', '=', repositoryId)
    .where('manifest_digest', 'in', [...digests])
    .where('kind', '=', 'manifest')
    .execute();
  for (const row of rows) children.set(row.manifest_digest, [...(children.get(row.manifest_digest) ?? []), row.child_digest]);
  return children;
}

/** (digest, tag) pairs of the repository after the pair `after`, ordered by digest then tag ('' for untagged). */
export async function listImageIdRows(
  db: Db,
  repositoryId: number,
  page: { after?: { digest: string; tag: string }; limit: number; tagStatus: TagStatus },
): Promise<{ digest: string; tag: string | null }[]> {
  let query = db
    .selectFrom('manifests as m')
    .leftJoin('tags as t', (join) => join.onRef('t.repository_id', '=', 'm.repository_id').onRef('t.manifest_digest', '=', 'm.digest'))
    .select(['m.digest as digest', 't.name as tag'])
    .where('m.repository_id', '=', repositoryId)
    .orderBy('m.digest')
    .orderBy('t.name')
    .limit(page.limit);
  if (page.tagStatus === 'TAGGED') query = query.where('t.name', 'is not', null);
  if (page.tagStatus === 'UNTAGGED') query = query.where('t.name', 'is', null);
  const after = page.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('m.digest', '>', after.digest), eb.and([eb('m.digest', '=', after.digest), eb(eb.fn.coalesce('t.name', eb.val('')), '>', after.tag)])]),
    );
  }
  return query.execute();
}

/**
 * Bytes that only `manifests` (of the repository) hold: their own bytes and those of the blobs they
 * reference that no other manifest, in any repository, references. What removing them frees.
 */
export async function exclusiveBytes(db: Db, repositoryId: number, manifests: readonly string[]): Promise<number> {
  if (manifests.length === 0) return 0;
  const inSet = [...manifests];
  const children = await db.selectFrom('manifest_references').select('child_digest').distinct().where('repository_id', '=', repositoryId).where('manifest_digest', 'in', inSet).execute();
  const candidates = [...new Set([...inSet, ...children.map((row) => row.child_digest)])];
  const [usedByOthers, ownedByOthers] = await Promise.all([
    db
      .selectFrom('manifest_references')
      .select('child_digest as digest')
      .distinct()
      .where('child_digest', 'in', candidates)
      .where((eb) => eb.or([eb('repository_id', '!=', repositoryId), eb('manifest_digest', 'not in', inSet)]))
      .execute(),
    db
      .selectFrom('manifests')
      .select('digest')
      .distinct()
      .where('digest', 'in', candidates)
      .where((eb) => eb.or([eb('repository_id', '!=', repositoryId), eb('digest', 'not in', inSet)]))
      .execute(),
  ]);
  const kept = new Set([...usedByOthers, ...ownedByOthers].map((row) => row.digest));
  const freed = candidates.filter((digest) => !kept.has(digest));
  if (freed.length === 0) return 0;
  const row = await db.selectFrom('blobs').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.val(0)).as('bytes')).where('digest', 'in', freed).executeTakeFirst();
  return Number(row?.bytes ?? 0);
}
