import type { Db } from './metadata.js';
import { preparedQuery } from './prepared-query.js';

export interface RepositoryRow {
  id: number;
  name: string;
  created_at: number;
  /** MUTABLE, IMMUTABLE, … (a push reads it with the row: no extra query for the tag rule). */
  image_tag_mutability: string;
  /** JSON array of wildcard filters for the *_WITH_EXCLUSION modes, or null. */
  image_tag_mutability_exclusions: string | null;
}

export async function findRepositoryByName(db: Db, name: string): Promise<RepositoryRow | undefined> {
  return (await repositoryByName(db, name)).rows[0];
}

const repositoryByName = preparedQuery((db, name: string) => db.selectFrom('repositories').select(['id', 'name', 'created_at', 'image_tag_mutability', 'image_tag_mutability_exclusions']).where('name', '=', name), { cached: true });

/** Inserts the repository unless it exists; returns the row either way. */
export async function ensureRepositoryRow(db: Db, name: string, now: number): Promise<RepositoryRow> {
  await db
    .insertInto('repositories')
    .values({ name, created_at: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await findRepositoryByName(db, name);
  if (!row) throw new Error(`repository ${name} vanished while being created`);
  return row;
}

/** Repository names in lexical order after `after`, at most `limit`. */
export async function listRepositoryNames(db: Db, after: string | undefined, limit: number): Promise<string[]> {
  let query = db.selectFrom('repositories').select('name').orderBy('name').limit(limit);
  if (after !== undefined) query = query.where('name', '>', after);
  return (await query.execute()).map((row) => row.name);
}
