import { scansOf } from '../scanning/scan.service.js';
import { scanSummary } from './scanning.js';
import type { EcrInput } from '../contracts/ecr-inputs.js';
import { parseDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import {
  deleteImages,
  describeImagePage,
  describeImagesById,
  getImages,
  listImageIds,
  type ImageFailure,
  type ImageId,
  type ImageInfo,
} from '../registry/images.service.js';
import { putManifest, resolveManifest } from '../registry/manifests.service.js';
import { existingRepository } from '../registry/repositories.service.js';
import { accountOf, asEcr, checkRegistryId, epochSeconds, type Call, type ControlPlane } from './control-plane.js';
import { decodeToken, encodeToken, pageLimit, refuseListWithPaging } from './pagination.js';

export async function listImages(cp: ControlPlane, _call: Call, input: EcrInput<'ListImages'>) {
  checkRegistryId(cp, input.registryId);
  const position = decodeToken('images', input.nextToken, 2);
  const page = await asEcr(cp, input.repositoryName, () =>
    listImageIds(cp.registry, input.repositoryName, {
      ...(position ? { after: { digest: position[0]!, tag: position[1]! } } : {}),
      limit: pageLimit(input.maxResults),
      tagStatus: input.filter?.tagStatus ?? 'ANY',
    }),
  );
  const last = page.ids.at(-1);
  return { imageIds: page.ids, ...(page.more && last ? { nextToken: encodeToken('images', [last.imageDigest!, last.imageTag ?? '']) } : {}) };
}

export async function describeImages(cp: ControlPlane, _call: Call, input: EcrInput<'DescribeImages'>) {
  checkRegistryId(cp, input.registryId);
  refuseListWithPaging('imageIds', input.imageIds, input.nextToken, input.maxResults);
  const details = async (images: ImageInfo[]) => {
    const scans = await scansOf(cp.registry, input.repositoryName, images.map((image) => image.digest));
    return images.map((image) => ({ ...imageDetail(cp, input.repositoryName, image), ...scanSummary(scans.get(image.digest)) }));
  };
  if (input.imageIds) {
    const { images, failures } = await asEcr(cp, input.repositoryName, () => describeImagesById(cp.registry, input.repositoryName, input.imageIds!));
    const [failure] = failures;
    if (failure) throw imageNotFound(cp, input.repositoryName, failure);
    return { imageDetails: await details(images) };
  }
  const after = decodeToken('image-details', input.nextToken, 1)?.[0];
  const page = await asEcr(cp, input.repositoryName, () =>
    describeImagePage(cp.registry, input.repositoryName, { ...(after !== undefined ? { after } : {}), limit: pageLimit(input.maxResults), tagStatus: input.filter?.tagStatus ?? 'ANY' }),
  );
  const last = page.images.at(-1);
  return { imageDetails: await details(page.images), ...(page.more && last ? { nextToken: encodeToken('image-details', [last.digest]) } : {}) };
}

export async function batchGetImage(cp: ControlPlane, call: Call, input: EcrInput<'BatchGetImage'>) {
  checkRegistryId(cp, input.registryId);
  const result = await asEcr(cp, input.repositoryName, () => getImages(cp.registry, call.ctx, input.repositoryName, input.imageIds, input.acceptedMediaTypes));
  return {
    images: result.images.map((image) => ({
      registryId: accountOf(cp),
      repositoryName: input.repositoryName,
      imageId: image.id,
      imageManifest: image.manifest.toString('utf8'),
      imageManifestMediaType: image.mediaType,
    })),
    failures: result.failures.map(failureShape),
  };
}

export async function batchDeleteImage(cp: ControlPlane, _call: Call, input: EcrInput<'BatchDeleteImage'>) {
  checkRegistryId(cp, input.registryId);
  const result = await asEcr(cp, input.repositoryName, () => deleteImages(cp.registry, input.repositoryName, input.imageIds));
  return { imageIds: result.deleted, failures: result.failures.map(failureShape) };
}

/** PutImage: a manifest (and tag) pushed through the API, with the same checks as a push on /v2. */
export async function putImage(cp: ControlPlane, call: Call, input: EcrInput<'PutImage'>) {
  checkRegistryId(cp, input.registryId);
  const name = input.repositoryName;
  await asEcr(cp, name, () => existingRepository(cp.registry, name));
  const bytes = Buffer.from(input.imageManifest, 'utf8');
  const mediaType = input.imageManifestMediaType ?? declaredMediaType(input.imageManifest);
  const reference = input.imageTag ?? input.imageDigest;
  if (reference === undefined) throw new RegistryError('INVALID_PARAMETER', "Invalid parameter: give 'imageTag' (or 'imageDigest' for an untagged image)");
  const existing = await resolveManifest(cp.registry, name, reference).catch(() => undefined);
  try {
    const pushed = await putManifest(cp.registry, call.ctx, name, input.imageTag ?? parseDigest(input.imageDigest!).value, mediaType, bytes);
    if (input.imageDigest !== undefined && input.imageTag !== undefined && parseDigest(input.imageDigest).value !== pushed.digest) {
      throw new RegistryError('IMAGE_DIGEST_MISMATCH', `The image digest '${input.imageDigest}' does not match the digest of the manifest, '${pushed.digest}'`);
    }
    if (existing?.digest === pushed.digest) {
      throw new RegistryError(
        'IMAGE_EXISTS',
        `Image with digest '${pushed.digest}'${input.imageTag !== undefined ? ` and tag '${input.imageTag}'` : ''} already exists in the repository with name '${name}' in registry with id '${accountOf(cp)}'`,
      );
    }
    return {
      image: {
        registryId: accountOf(cp),
        repositoryName: name,
        imageId: { imageDigest: pushed.digest, ...(input.imageTag !== undefined ? { imageTag: input.imageTag } : {}) },
        imageManifest: input.imageManifest,
        imageManifestMediaType: mediaType,
      },
    };
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'DIGEST_INVALID' && input.imageDigest !== undefined) {
      throw new RegistryError('IMAGE_DIGEST_MISMATCH', `The image digest '${input.imageDigest}' does not match the digest of the manifest`);
    }
    throw err;
  }
}

function declaredMediaType(manifest: string): string {
  try {
    const parsed = JSON.parse(manifest) as { mediaType?: unknown };
    if (typeof parsed.mediaType === 'string') return parsed.mediaType;
  } catch {
    throw new RegistryError('INVALID_PARAMETER', "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'must be a JSON document'");
  }
  throw new RegistryError('INVALID_PARAMETER', "Invalid parameter: the manifest has no mediaType field, so 'imageManifestMediaType' is required");
}

function imageDetail(cp: ControlPlane, repositoryName: string, image: ImageInfo) {
  return {
    registryId: accountOf(cp),
    repositoryName,
    imageDigest: image.digest,
    ...(image.tags.length > 0 ? { imageTags: image.tags } : {}),
    imageSizeInBytes: image.sizeBytes,
    imagePushedAt: epochSeconds(image.pushedAt),
    imageManifestMediaType: image.mediaType,
    ...(image.artifactMediaType !== null ? { artifactMediaType: image.artifactMediaType } : {}),
    ...(image.lastPulledAt !== null ? { lastRecordedPullTime: epochSeconds(image.lastPulledAt) } : {}),
    ...(image.subject !== null ? { subjectManifestDigest: image.subject } : {}),
  };
}

function failureShape(failure: ImageFailure) {
  return { imageId: failure.imageId, failureCode: failure.failureCode, failureReason: failure.failureReason };
}

function imageNotFound(cp: ControlPlane, repositoryName: string, failure: ImageFailure): RegistryError {
  if (failure.failureCode !== 'ImageNotFound') return new RegistryError('INVALID_PARAMETER', failure.failureReason);
  const id: ImageId = failure.imageId;
  return new RegistryError(
    'MANIFEST_UNKNOWN',
    `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${accountOf(cp)}'`,
  );
}
