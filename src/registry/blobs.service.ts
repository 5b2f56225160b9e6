import type { Readable } from 'node:stream';
import type { OpContext } from '../core/context.js';
import { parseDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import { assertRepositoryName } from '../core/names.js';
import { findLinkedBlobByName, queueBlobReview, unlinkBlob } from '../metadata/blobs.repository.js';
import { manifestsReferencing } from '../metadata/manifests.repository.js';
import { SMALL_READ_BYTES, type ByteRange } from '../storage/blob-driver.js';
import { contentKey } from '../storage/keys.js';
import { isStorageError } from '../storage/storage-error.js';
import type { Registry } from './registry.js';
import { existingRepository } from './repositories.service.js';
import { fromStorageError } from './storage-errors.js';
import type { StoredBlob } from './uploads.service.js';

/** The blob as the repository serves it; BLOB_UNKNOWN when the repository does not link it. */
export async function statBlob(registry: Registry, repository: string, digestText: string): Promise<StoredBlob> {
  assertRepositoryName(repository);
  const digest = parseDigest(digestText);
  const blob = await findLinkedBlobByName(registry.metadata.db, repository, digest.value);
  if (!blob) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest.value} is unknown to repository "${repository}"`, { digest: digest.value });
  return blob;
}

/** How long a presigned blob URL stays valid. */
const DOWNLOAD_URL_SECONDS = 15 * 60;

/**
 * A URL the client can fetch the blob's bytes from directly (a presigned S3 URL, as ECR answers), or
 * undefined: serve the bytes through Berth. A store that cannot sign falls back to streaming.
 */
export async function blobDownloadUrl(registry: Registry, ctx: OpContext, blob: StoredBlob): Promise<string | undefined> {
  const driver = registry.storage;
  if (!registry.settings.redirectBlobDownloads || !driver.downloadUrl) return undefined;
  try {
    return await driver.downloadUrl(ctx, contentKey(parseDigest(blob.digest)), DOWNLOAD_URL_SECONDS);
  } catch (err) {
    ctx.log.warn({ err, digest: blob.digest }, 'could not presign a blob URL; streaming the blob instead');
    return undefined;
  }
}

/** Streams the blob's bytes (or a range of them, already checked against its size by the caller). */
export async function openBlob(registry: Registry, ctx: OpContext, blob: StoredBlob, range?: ByteRange): Promise<Readable> {
  return readingBlob(ctx, blob, (key) => registry.storage.read(ctx, key, wholeOr(blob, range)));
}

/**
 * What a GET answers with: the bytes in one buffer when they are few and the store reads those
 * faster whole, else a stream (as openBlob).
 */
export async function blobBody(registry: Registry, ctx: OpContext, blob: StoredBlob, range?: ByteRange): Promise<Readable | Buffer> {
  const wanted = wholeOr(blob, range);
  if (!wanted) return openBlob(registry, ctx, blob);
  const whole = await readingBlob(ctx, blob, async (key) => readSmallRange(registry, ctx, key, wanted));
  return whole ?? openBlob(registry, ctx, blob, range);
}

/** The range of the object at `key` in one buffer, when it is small and the store reads it faster so; else undefined. */
export function readSmallRange(registry: Registry, ctx: OpContext, key: string, range: ByteRange): Promise<Buffer> | undefined {
  if (!registry.storage.readSmall || range.end - range.start >= SMALL_READ_BYTES) return undefined;
  return registry.storage.readSmall(ctx, key, range);
}

/** A whole blob is read as the range of its known size, so a small blob's read buffer is small too. */
function wholeOr(blob: StoredBlob, range: ByteRange | undefined): ByteRange | undefined {
  return range ?? (blob.size > 0 ? { start: 0, end: blob.size - 1 } : undefined);
}

async function readingBlob<T>(ctx: OpContext, blob: StoredBlob, read: (key: string) => Promise<T>): Promise<T> {
  try {
    return await read(contentKey(parseDigest(blob.digest)));
  } catch (err) {
    if (isStorageError(err, 'NOT_FOUND')) {
      ctx.log.error({ digest: blob.digest }, 'blob row exists but its bytes are missing from storage');
      throw new RegistryError('BLOB_UNKNOWN', `the bytes of blob ${blob.digest} are missing from storage`);
    }
    throw fromStorageError(err);
  }
}

/**
 * Unlinks the blob from the repository (DELETE /v2/<name>/blobs/<digest>). Bytes are never deleted
 * here: garbage collection reviews the blob later. A blob that a manifest of the repository still
 * references is refused, so no manifest ever loses a layer.
 */
export async function deleteBlob(registry: Registry, repository: string, digestText: string): Promise<void> {
  const digest = parseDigest(digestText);
  const repo = await existingRepository(registry, repository);
  await registry.metadata.transaction(async (trx) => {
    const [user] = await manifestsReferencing(trx, repo.id, digest.value, 1);
    if (user) {
      throw new RegistryError('BLOB_IN_USE', `blob ${digest.value} is used by manifest ${user}: delete the manifest first`);
    }
    if (!(await unlinkBlob(trx, repo.id, digest.value))) {
      throw new RegistryError('BLOB_UNKNOWN', `blob ${digest.value} is unknown to repository "${repository}"`, { digest: digest.value });
    }
    await queueBlobReview(trx, [digest.value], registry.clock.now().getTime() + registry.settings.gcGraceMs);
  });
}
