import { RegistryError } from '../core/errors.js';
import { listTagNames } from '../metadata/tags.repository.js';
import type { Registry } from './registry.js';
import { existingRepository } from './repositories.service.js';

/** One page of the repository's tags in lexical order (all when no limit), and whether more follow. */
export async function listTags(registry: Registry, repository: string, page: { limit?: number; after?: string }): Promise<{ tags: string[]; more: boolean }> {
  const repo = await existingRepository(registry, repository);
  if (page.limit !== undefined && (!Number.isSafeInteger(page.limit) || page.limit < 0)) {
    throw new RegistryError('PAGINATION_INVALID', 'n must be a non-negative integer');
  }
  if (page.limit === 0) return { tags: [], more: false };
  const tags = await listTagNames(registry.metadata.db, repo.id, page.after, page.limit === undefined ? undefined : page.limit + 1);
  const more = page.limit !== undefined && tags.length > page.limit;
  return { tags: more ? tags.slice(0, page.limit) : tags, more };
}
