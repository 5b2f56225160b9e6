import type { Db } from './metadata.js';
import { preparedQuery } from './prepared-query.js';

/** Points `name` at `digest`, creating or moving the tag; returns the digest it pointed to before. */
export async function upsertTag(db: Db, repositoryId: number, name: string, digest: string, now: number): Promise<string | undefined> {
  const previous = await findTagDigest(db, repositoryId, name);
  if (previous === digest) return digest;
  await upsertTagRow(db, repositoryId, name, digest, now);
  return previous;
}

const upsertTagRow = preparedQuery((db, repositoryId: number, name: string, digest: string, now: number) =>
  db
    .insertInto('tags')
    .values({ repository_id: repositoryId, name, manifest_digest: digest, updated_at: now })
    .onConflict((oc) => oc.columns(['repository_id', 'name']).doUpdateSet((eb) => ({ manifest_digest: eb.ref('excluded.manifest_digest'), updated_at: eb.ref('excluded.updated_at') }))),
);

/** Removes the tag; returns the digest it pointed to, or undefined when there was none. */
export async function deleteTag(db: Db, repositoryId: number, name: string): Promise<string | undefined> {
  const row = await db
    .deleteFrom('tags')
    .where('repository_id', '=', repositoryId)
    .where('name', '=', name)
    .returning('manifest_digest')
    .executeTakeFirst();
  return row?.manifest_digest;
}

/** Tag names in lexical order after `after`, at most `limit` (undefined: all). */
export async function listTagNames(db: Db, repositoryId: number, after: string | undefined, limit: number | undefined): Promise<string[]> {
  let query = db.selectFrom('tags').select('name').where('repository_id', '=', repositoryId).orderBy('name');
  if (after !== undefined) query = query.where('name', '>', after);
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map((row) => row.name);
}


/** The digest a tag points to, or undefined. */
export async function findTagDigest(db: Db, repositoryId: number, name: string): Promise<string | undefined> {
  return (await tagDigest(db, repositoryId, name)).rows[0]?.manifest_digest;
}

const tagDigest = preparedQuery((db, repositoryId: number, name: string) =>
  db.selectFrom('tags').select('manifest_digest').where('repository_id', '=', repositoryId).where('name', '=', name),
);
