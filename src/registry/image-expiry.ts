import { childManifestsOf } from '../metadata/images.repository.js';
import { listReferrers, manifestChildren, manifestsReferencing } from '../metadata/manifests.repository.js';
import type { Db } from '../metadata/metadata.js';
import { describeImagePage, type ImageInfo } from './images.service.js';
import { removeManifest } from './manifests.service.js';
import type { Registry } from './registry.js';
import { existingRepository } from './repositories.service.js';

const PAGE = 1000;

/**
 * The images of a repository that lifecycle policies judge. Referrers (signatures, SBOMs,
 * attestations) are not images of their own: they follow their subject. Neither are an index's
 * children: they follow the index.
 */
export async function lifecycleImages(registry: Registry, repository: string): Promise<ImageInfo[]> {
  const repo = await existingRepository(registry, repository);
  const all: ImageInfo[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await describeImagePage(registry, repository, { ...(after !== undefined ? { after } : {}), limit: PAGE, tagStatus: 'ANY' });
    all.push(...page.images);
    if (!page.more) break;
    after = page.images.at(-1)!.digest;
  }
  const children = new Set([...(await childManifestsOf(registry.metadata.db, repo.id, all.map((image) => image.digest))).values()].flat());
  return all.filter((image) => image.subject === null && !children.has(image.digest));
}

/**
 * Expires images: each goes with its tags, its referrers and the children no other index lists, in one
 * transaction per image; bytes are left to garbage collection. An image that is gone already is skipped.
 * Returns the digests expired.
 */
export async function expireImages(registry: Registry, repository: string, digests: readonly string[]): Promise<string[]> {
  const repo = await existingRepository(registry, repository);
  const expired: string[] = [];
  for (const digest of digests) {
    const removed = await registry.metadata.transaction((trx) => removeWithDependents(registry, trx, repo.id, repository, digest));
    if (removed) expired.push(digest);
  }
  return expired;
}

async function removeWithDependents(registry: Registry, trx: Db, repositoryId: number, repository: string, digest: string): Promise<boolean> {
  for (const referrer of await listReferrers(trx, repository, digest)) {
    await removeWithDependents(registry, trx, repositoryId, repository, referrer.digest);
  }
  const children = (await manifestChildren(trx, repositoryId, digest)).filter((child) => child.kind === 'manifest');
  if (!(await removeManifest(registry, trx, repositoryId, digest))) return false;
  for (const child of children) {
    if ((await manifestsReferencing(trx, repositoryId, child.digest, 1)).length === 0) {
      await removeWithDependents(registry, trx, repositoryId, repository, child.digest);
    }
  }
  return true;
}
