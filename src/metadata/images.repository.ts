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
  for (const slice of slices([...digests])) {
    const rows = await db
      .selectFrom('manifest_references')
      .select(['manifest_digest', 'child_digest'])
      .where('repository_id', '=', repositoryId)
      .where('manifest_digest', 'in', slice)
      .where('kind', '=', 'manifest')
      .execute();
    for (const row of rows) children.set(row.manifest_digest, [...(children.get(row.manifest_digest) ?? []), row.child_digest]);
  }
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
  const own = new Set(manifests);
  const candidates = new Set(manifests);
  for (const slice of slices([...own])) {
    const rows = await db.selectFrom('manifest_references').select('child_digest').where('repository_id', '=', repositoryId).where('manifest_digest', 'in', slice).execute();
    for (const row of rows) candidates.add(row.child_digest);
  }
  // In slices, and compared here: an IN list of every digest would pass SQLite's limit on variables.
  const kept = new Set<string>();
  const isOwn = (repository: number, manifest: string) => repository === repositoryId && own.has(manifest);
  let bytes = 0;
  for (const slice of slices([...candidates])) {
    const [references, holders, sizes] = await Promise.all([
      db.selectFrom('manifest_references').select(['repository_id', 'manifest_digest', 'child_digest']).where('child_digest', 'in', slice).execute(),
      db.selectFrom('manifests').select(['repository_id', 'digest']).where('digest', 'in', slice).execute(),
      db.selectFrom('blobs').select(['digest', 'size']).where('digest', 'in', slice).execute(),
    ]);
    for (const ref of references) if (!isOwn(ref.repository_id, ref.manifest_digest)) kept.add(ref.child_digest);
    for (const holder of holders) if (!isOwn(holder.repository_id, holder.digest)) kept.add(holder.digest);
    for (const blob of sizes) if (!kept.has(blob.digest)) bytes += Number(blob.size);
  }
  return bytes;
}

function slices<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
