import type { Db } from './metadata.js';
import { preparedQuery } from './prepared-query.js';

/** A repository with ECR's settings, as DescribeRepositories shows it. */
export interface RepositorySettingsRow {
  id: number;
  name: string;
  created_at: number;
  image_tag_mutability: string;
  /** JSON array of wildcard filters for the *_WITH_EXCLUSION modes, or null. */
  image_tag_mutability_exclusions: string | null;
  scan_on_push: number;
  encryption_type: string;
  kms_key: string | null;
}

export interface NewRepositorySettings {
  readonly imageTagMutability: string;
  readonly imageTagMutabilityExclusions: readonly string[] | null;
  readonly scanOnPush: boolean;
  readonly encryptionType: string;
  readonly kmsKey: string | null;
}

const SETTINGS_COLUMNS = ['id', 'name', 'created_at', 'image_tag_mutability', 'image_tag_mutability_exclusions', 'scan_on_push', 'encryption_type', 'kms_key'] as const;

/** Inserts the repository with its settings; returns undefined when the name is taken. */
export async function insertRepositoryWithSettings(db: Db, name: string, settings: NewRepositorySettings, now: number): Promise<RepositorySettingsRow | undefined> {
  const result = await db
    .insertInto('repositories')
    .values({
      name,
      created_at: now,
      image_tag_mutability: settings.imageTagMutability,
      image_tag_mutability_exclusions: settings.imageTagMutabilityExclusions ? JSON.stringify(settings.imageTagMutabilityExclusions) : null,
      scan_on_push: settings.scanOnPush ? 1 : 0,
      encryption_type: settings.encryptionType,
      kms_key: settings.kmsKey,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
  return findRepositorySettings(db, name);
}

export async function findRepositorySettings(db: Db, name: string): Promise<RepositorySettingsRow | undefined> {
  return (await repositorySettingsByName(db, name)).rows[0];
}

const repositorySettingsByName = preparedQuery((db, name: string) => db.selectFrom('repositories').select(SETTINGS_COLUMNS).where('name', '=', name), { cached: true });

/** Repositories in lexical order: the named ones, or a page after `after`. */
export async function listRepositorySettings(db: Db, filter: { names?: string[]; after?: string; limit: number }): Promise<RepositorySettingsRow[]> {
  let query = db.selectFrom('repositories').select(SETTINGS_COLUMNS).orderBy('name').limit(filter.limit);
  if (filter.names) query = query.where('name', 'in', filter.names.length > 0 ? filter.names : ['']);
  if (filter.after !== undefined) query = query.where('name', '>', filter.after);
  return query.execute();
}

/** Deletes the repository row; its tags, manifests, links, uploads and settings go with it (cascade). */
export async function deleteRepositoryRow(db: Db, id: number): Promise<void> {
  await db.deleteFrom('repositories').where('id', '=', id).execute();
}

export async function countManifests(db: Db, repositoryId: number): Promise<number> {
  const row = await db.selectFrom('manifests').select((eb) => eb.fn.countAll<number>().as('n')).where('repository_id', '=', repositoryId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The repository's resource tags, by key. */
export async function listResourceTags(db: Db, repositoryId: number): Promise<{ key: string; value: string }[]> {
  return db.selectFrom('repository_tags').select(['key', 'value']).where('repository_id', '=', repositoryId).orderBy('key').execute();
}

/** Sets the given resource tags (adding or replacing by key). */
export async function putResourceTags(db: Db, repositoryId: number, tags: readonly { key: string; value: string }[]): Promise<void> {
  if (tags.length === 0) return;
  await db
    .insertInto('repository_tags')
    .values(tags.map((t) => ({ repository_id: repositoryId, key: t.key, value: t.value })))
    .onConflict((oc) => oc.columns(['repository_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
    .execute();
}

export async function deleteResourceTags(db: Db, repositoryId: number, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom('repository_tags').where('repository_id', '=', repositoryId).where('key', 'in', [...keys]).execute();
}

/** The repository policy document, or null. */
export async function findRepositoryPolicy(db: Db, repositoryId: number): Promise<string | null> {
  const row = await db.selectFrom('repositories').select('policy').where('id', '=', repositoryId).executeTakeFirst();
  return row?.policy ?? null;
}

export async function setRepositoryPolicy(db: Db, repositoryId: number, policy: string | null): Promise<void> {
  await db.updateTable('repositories').set({ policy }).where('id', '=', repositoryId).execute();
}

/** The policy of the named repository (null when it has none), or undefined when there is no such repository. */
export async function findRepositoryPolicyByName(db: Db, name: string): Promise<string | null | undefined> {
  const row = (await policyByName(db, name)).rows[0];
  return row === undefined ? undefined : row.policy;
}

const policyByName = preparedQuery((db, name: string) => db.selectFrom('repositories').select('policy').where('name', '=', name), { cached: true });

/** The resource tags of the named repository (policy conditions on aws:ResourceTag/…). */
export async function resourceTagsOf(db: Db, name: string): Promise<{ key: string; value: string }[]> {
  return db
    .selectFrom('repository_tags as t')
    .innerJoin('repositories as r', 'r.id', 't.repository_id')
    .select(['t.key', 't.value'])
    .where('r.name', '=', name)
    .execute();
}

/** Sets the repository's tag mutability and its exclusion filters (null: none). */
export async function updateTagMutability(db: Db, repositoryId: number, mode: string, exclusions: readonly string[] | null): Promise<void> {
  await db
    .updateTable('repositories')
    .set({ image_tag_mutability: mode, image_tag_mutability_exclusions: exclusions ? JSON.stringify(exclusions) : null })
    .where('id', '=', repositoryId)
    .execute();
}

export async function updateScanOnPush(db: Db, repositoryId: number, scanOnPush: boolean): Promise<void> {
  await db.updateTable('repositories').set({ scan_on_push: scanOnPush ? 1 : 0 }).where('id', '=', repositoryId).execute();
}
