import { repositoryBytes } from '../metadata/storage-use.repository.js';
import type { TagMutability } from './tag-mutability.js';
import { RegistryError } from '../core/errors.js';
import { assertRepositoryName } from '../core/names.js';
import { digestsOfRepository, queueBlobReview } from '../metadata/blobs.repository.js';
import { ensureRepositoryRow, findRepositoryByName, listRepositoryNames, type RepositoryRow } from '../metadata/repositories.repository.js';
import { updateScanOnPush, updateTagMutability,
  countManifests,
  deleteRepositoryRow,
  deleteResourceTags,
  findRepositorySettings,
  insertRepositoryWithSettings,
  listRepositorySettings,
  listResourceTags,
  putResourceTags,
  type NewRepositorySettings,
  type RepositorySettingsRow,
} from '../metadata/repository-settings.repository.js';
import type { Registry } from './registry.js';

/** The repository a push goes to, created when create-on-push is on; NAME_UNKNOWN otherwise. */
export async function repositoryForPush(registry: Registry, name: string): Promise<RepositoryRow> {
  assertRepositoryName(name);
  const existing = await findRepositoryByName(registry.metadata.db, name);
  if (existing) return existing;
  if (!registry.settings.createOnPush) {
    throw new RegistryError('NAME_UNKNOWN', `repository "${name}" does not exist and create-on-push is off: create it first`);
  }
  return ensureRepositoryRow(registry.metadata.db, name, registry.clock.now().getTime());
}

/** The existing repository, or NAME_UNKNOWN. */
export async function existingRepository(registry: Registry, name: string): Promise<RepositoryRow> {
  assertRepositoryName(name);
  const row = await findRepositoryByName(registry.metadata.db, name);
  if (!row) throw new RegistryError('NAME_UNKNOWN', `repository "${name}" does not exist`);
  return row;
}

/** One page of repository names in lexical order, and whether more follow. */
export async function listRepositories(registry: Registry, page: { limit: number; after?: string }): Promise<{ names: string[]; more: boolean }> {
  const names = await listRepositoryNames(registry.metadata.db, page.after, page.limit + 1);
  return { names: names.slice(0, page.limit), more: names.length > page.limit };
}

export type { NewRepositorySettings, RepositorySettingsRow };

/** Creates the repository with ECR's settings and resource tags; REPOSITORY_EXISTS when the name is taken. */
export async function createRepository(
  registry: Registry,
  name: string,
  settings: NewRepositorySettings,
  tags: readonly { key: string; value: string }[],
): Promise<RepositorySettingsRow> {
  assertRepositoryName(name);
  return registry.metadata.transaction(async (trx) => {
    const row = await insertRepositoryWithSettings(trx, name, settings, registry.clock.now().getTime());
    if (!row) throw new RegistryError('REPOSITORY_EXISTS', `repository "${name}" already exists`);
    await putResourceTags(trx, row.id, tags);
    return row;
  });
}

/** The repository with its settings, or NAME_UNKNOWN. */
export async function repositorySettings(registry: Registry, name: string): Promise<RepositorySettingsRow> {
  assertRepositoryName(name);
  const row = await findRepositorySettings(registry.metadata.db, name);
  if (!row) throw new RegistryError('NAME_UNKNOWN', `repository "${name}" does not exist`);
  return row;
}

/** Repositories with settings: the named ones (each must exist), or a page in lexical order. */
export async function describeRepositoryPage(
  registry: Registry,
  page: { names?: readonly string[]; after?: string; limit: number },
): Promise<{ repositories: RepositorySettingsRow[]; more: boolean }> {
  if (page.names) {
    const rows = await listRepositorySettings(registry.metadata.db, { names: [...page.names], limit: page.names.length });
    const missing = page.names.find((n) => !rows.some((r) => r.name === n));
    if (missing !== undefined) throw new RegistryError('NAME_UNKNOWN', `repository "${missing}" does not exist`, { name: missing });
    return { repositories: rows, more: false };
  }
  const rows = await listRepositorySettings(registry.metadata.db, { ...(page.after !== undefined ? { after: page.after } : {}), limit: page.limit + 1 });
  return { repositories: rows.slice(0, page.limit), more: rows.length > page.limit };
}

/**
 * Deletes the repository. Without `force` one that still holds images is refused
 * (REPOSITORY_NOT_EMPTY). Its blobs are queued for garbage-collection review; bytes are never
 * deleted here.
 */
export async function deleteRepository(registry: Registry, name: string, force: boolean): Promise<RepositorySettingsRow> {
  const row = await repositorySettings(registry, name);
  await registry.metadata.transaction(async (trx) => {
    if (!force && (await countManifests(trx, row.id)) > 0) {
      throw new RegistryError('REPOSITORY_NOT_EMPTY', `repository "${name}" still contains images`);
    }
    const digests = await digestsOfRepository(trx, row.id);
    await queueBlobReview(trx, digests, registry.clock.now().getTime() + registry.settings.gcGraceMs);
    await deleteRepositoryRow(trx, row.id);
  });
  return row;
}

export async function repositoryResourceTags(registry: Registry, name: string): Promise<{ key: string; value: string }[]> {
  const repo = await existingRepository(registry, name);
  return listResourceTags(registry.metadata.db, repo.id);
}

/** Adds or replaces resource tags; the repository may then hold at most `max` of them (TOO_MANY_TAGS). */
export async function tagRepository(registry: Registry, name: string, tags: readonly { key: string; value: string }[], max: number): Promise<void> {
  const repo = await existingRepository(registry, name);
  await registry.metadata.transaction(async (trx) => {
    await putResourceTags(trx, repo.id, tags);
    if ((await listResourceTags(trx, repo.id)).length > max) throw new RegistryError('TOO_MANY_TAGS', `a repository can have at most ${max} tags`);
  });
}

export async function untagRepository(registry: Registry, name: string, keys: readonly string[]): Promise<void> {
  const repo = await existingRepository(registry, name);
  await deleteResourceTags(registry.metadata.db, repo.id, keys);
}

/** PutImageTagMutability: the mode and, for the *_WITH_EXCLUSION modes, its wildcard filters. */
export async function setTagMutability(registry: Registry, name: string, mode: TagMutability, exclusions: readonly string[] | null): Promise<void> {
  const repo = await existingRepository(registry, name);
  await updateTagMutability(registry.metadata.db, repo.id, mode, exclusions);
}

/** Bytes each named repository uses: the blobs it links and its manifests (shared content counts in each). */
export async function repositoriesStorageBytes(registry: Registry, names: readonly string[]): Promise<Map<string, number>> {
  return repositoryBytes(registry.metadata.db, names);
}

/** PutImageScanningConfiguration: the repository's own scan-on-push setting. */
export async function setScanOnPush(registry: Registry, name: string, scanOnPush: boolean): Promise<void> {
  const repo = await existingRepository(registry, name);
  await updateScanOnPush(registry.metadata.db, repo.id, scanOnPush);
}
