import type { OpContext } from '../core/context.js';
import { looksLikeDigest, parseDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import { isTag } from '../core/names.js';
import {
  blobBytesOfManifests,
  childManifestsOf,
  findImageRows,
  listImageIdRows,
  listImageRows,
  tagsOfManifests,
  type ImageRow,
  type TagStatus,
} from '../metadata/images.repository.js';
import { findManifestByDigest, findManifestByTag } from '../metadata/manifests.repository.js';
import type { Db } from '../metadata/metadata.js';
import { deleteTag } from '../metadata/tags.repository.js';
import { notePull, readManifestBytes, removeManifest } from './manifests.service.js';
import type { Registry } from './registry.js';
import { existingRepository } from './repositories.service.js';

export type { TagStatus };

/** An image as ECR names it: by digest, tag, or both. */
export interface ImageId {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

export type ImageFailureCode = 'InvalidImageDigest' | 'InvalidImageTag' | 'ImageTagDoesNotMatchDigest' | 'ImageNotFound' | 'MissingDigestAndTag' | 'ImageReferencedByManifestList';

export interface ImageFailure {
  readonly imageId: ImageId;
  readonly failureCode: ImageFailureCode;
  readonly failureReason: string;
}

/** One manifest with what DescribeImages shows of it. */
export interface ImageInfo {
  readonly digest: string;
  readonly tags: string[];
  /** Bytes of its blobs; for an index, of its largest child. */
  readonly sizeBytes: number;
  readonly pushedAt: number;
  readonly lastPulledAt: number | null;
  readonly mediaType: string;
  readonly artifactMediaType: string | null;
  readonly subject: string | null;
}

/** A page of (digest, tag) pairs: one per tag, and the digest alone for an untagged manifest. */
export async function listImageIds(
  registry: Registry,
  repository: string,
  page: { after?: { digest: string; tag: string }; limit: number; tagStatus: TagStatus },
): Promise<{ ids: ImageId[]; more: boolean }> {
  const repo = await existingRepository(registry, repository);
  const rows = await listImageIdRows(registry.metadata.db, repo.id, { ...page, limit: page.limit + 1 });
  const ids = rows.slice(0, page.limit).map((row) => (row.tag === null ? { imageDigest: row.digest } : { imageDigest: row.digest, imageTag: row.tag }));
  return { ids, more: rows.length > page.limit };
}

/** A page of manifests by digest, with tags, sizes and times. */
export async function describeImagePage(
  registry: Registry,
  repository: string,
  page: { after?: string; limit: number; tagStatus: TagStatus },
): Promise<{ images: ImageInfo[]; more: boolean }> {
  const repo = await existingRepository(registry, repository);
  const rows = await listImageRows(registry.metadata.db, repo.id, { ...page, limit: page.limit + 1 });
  const images = await imageInfos(registry.metadata.db, repo.id, rows.slice(0, page.limit));
  return { images, more: rows.length > page.limit };
}

/** The named images; the ones that don't resolve are failures (ImageNotFoundException when all fail is the caller's call). */
export async function describeImagesById(registry: Registry, repository: string, ids: readonly ImageId[]): Promise<{ images: ImageInfo[]; failures: ImageFailure[] }> {
  const repo = await existingRepository(registry, repository);
  const { found, failures } = await resolveImageIds(registry.metadata.db, repository, ids);
  const rows = await findImageRows(registry.metadata.db, repo.id, [...new Set(found.map((f) => f.image.digest))]);
  return { images: await imageInfos(registry.metadata.db, repo.id, rows), failures };
}

/** The manifests of the named images (BatchGetImage). */
export async function getImages(
  registry: Registry,
  ctx: OpContext,
  repository: string,
  ids: readonly ImageId[],
  acceptedMediaTypes: readonly string[] | undefined,
): Promise<{ images: { id: ImageId; manifest: Buffer; mediaType: string }[]; failures: ImageFailure[] }> {
  await existingRepository(registry, repository);
  const images: { id: ImageId; manifest: Buffer; mediaType: string }[] = [];
  const { found, failures } = await resolveImageIds(registry.metadata.db, repository, ids);
  for (const { id, image: resolved } of found) {
    if (acceptedMediaTypes && !acceptedMediaTypes.includes(resolved.mediaType)) {
      failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: `The image is a ${resolved.mediaType}, which is not among the acceptedMediaTypes` });
      continue;
    }
    const manifest = await readManifestBytes(registry, ctx, { digest: resolved.digest, mediaType: resolved.mediaType, size: resolved.size, subject: undefined });
    notePull(registry, repository, resolved.digest);
    images.push({ id: { imageDigest: resolved.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) }, manifest, mediaType: resolved.mediaType });
  }
  return { images, failures };
}

/**
 * BatchDeleteImage with ECR's semantics: a digest deletes the image and all its tags; a tag removes
 * that tag, and the image with it when it was the image's last tag. An image that an index of the
 * repository lists is not deleted (ImageReferencedByManifestList). Returns what was removed.
 */
export async function deleteImages(registry: Registry, repository: string, ids: readonly ImageId[]): Promise<{ deleted: ImageId[]; failures: ImageFailure[] }> {
  const repo = await existingRepository(registry, repository);
  const deleted: ImageId[] = [];
  const { found, failures } = await resolveImageIds(registry.metadata.db, repository, ids);
  for (const { id, image: resolved } of found) {
    try {
      await registry.metadata.transaction(async (trx) => {
        const tags = (await tagsOfManifests(trx, repo.id, [resolved.digest])).get(resolved.digest) ?? [];
        if (id.imageDigest === undefined && tags.length > 1) {
          await deleteTag(trx, repo.id, id.imageTag!);
          deleted.push({ imageDigest: resolved.digest, imageTag: id.imageTag! });
          return;
        }
        await removeManifest(registry, trx, repo.id, resolved.digest);
        if (tags.length === 0) deleted.push({ imageDigest: resolved.digest });
        for (const tag of tags) deleted.push({ imageDigest: resolved.digest, imageTag: tag });
      });
    } catch (err) {
      if (!(err instanceof RegistryError) || err.code !== 'MANIFEST_IN_USE') throw err;
      failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: `Requested image is referenced by a manifest list: ${(err.detail as { parent: string }).parent}` });
    }
  }
  return { deleted, failures };
}

type Resolved = { digest: string; mediaType: string; size: number };

/** Each id resolved to its manifest, or a failure (in the order given). */
async function resolveImageIds(db: Db, repository: string, ids: readonly ImageId[]): Promise<{ found: { id: ImageId; image: Resolved }[]; failures: ImageFailure[] }> {
  const found: { id: ImageId; image: Resolved }[] = [];
  const failures: ImageFailure[] = [];
  for (const id of ids) {
    const resolved = await resolveImageId(db, repository, id);
    if ('failureCode' in resolved) failures.push(resolved);
    else found.push({ id, image: resolved });
  }
  return { found, failures };
}

async function resolveImageId(db: Db, repository: string, id: ImageId): Promise<Resolved | ImageFailure> {
  const fail = (failureCode: ImageFailureCode, failureReason: string): ImageFailure => ({ imageId: id, failureCode, failureReason });
  if (id.imageDigest === undefined && id.imageTag === undefined) return fail('MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null');
  if (id.imageDigest !== undefined && !looksLikeDigest(id.imageDigest)) return fail('InvalidImageDigest', 'Invalid request parameters: image digest should satisfy the regex \'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+\'');
  if (id.imageTag !== undefined && !isTag(id.imageTag)) return fail('InvalidImageTag', 'Invalid request parameters: image tag should satisfy the regex \'[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\'');
  const byDigest = id.imageDigest !== undefined ? await findManifestByDigest(db, repository, parseDigest(id.imageDigest).value) : undefined;
  const byTag = id.imageTag !== undefined ? await findManifestByTag(db, repository, id.imageTag) : undefined;
  if (id.imageDigest !== undefined && id.imageTag !== undefined && byDigest && byTag && byDigest.digest !== byTag.digest) {
    return fail('ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag does not match the given digest');
  }
  const row = id.imageDigest !== undefined ? (id.imageTag !== undefined ? byTag && byDigest : byDigest) : byTag;
  if (!row) return fail('ImageNotFound', 'Requested image not found');
  return { digest: row.digest, mediaType: row.media_type, size: row.size };
}

async function imageInfos(db: Db, repositoryId: number, rows: ImageRow[]): Promise<ImageInfo[]> {
  const digests = rows.map((r) => r.digest);
  const [tags, bytes, children] = [await tagsOfManifests(db, repositoryId, digests), await blobBytesOfManifests(db, repositoryId, digests), await childManifestsOf(db, repositoryId, digests)];
  const childBytes = await blobBytesOfManifests(db, repositoryId, [...new Set([...children.values()].flat())]);
  return rows.map((row) => {
    const kids = children.get(row.digest);
    const sizeBytes = kids ? Math.max(0, ...kids.map((d) => childBytes.get(d) ?? 0)) : (bytes.get(row.digest) ?? 0);
    return {
      digest: row.digest,
      tags: tags.get(row.digest) ?? [],
      sizeBytes,
      pushedAt: row.pushed_at,
      lastPulledAt: row.last_pulled_at,
      mediaType: row.media_type,
      artifactMediaType: row.artifact_type,
      subject: row.subject_digest,
    };
  });
}
