import { RegistryError } from '../core/errors.js';
import { assertRepositoryName } from '../core/names.js';
import { ensureRepositoryRow, findRepositoryByName, listRepositoryNames, type RepositoryRow } from '../metadata/repositories.repository.js';
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
