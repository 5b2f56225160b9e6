import { Readable } from 'node:stream';
import type { OpContext } from '../../core/context.js';
import type { UploadRef } from '../blob-driver.js';
import { uploadPrefix } from '../keys.js';
import { isStorageError, StorageError } from '../storage-error.js';
import { gone, requireOpen } from './s3-append.js';
import { decodeState, type UploadState } from './multipart-state.js';
import type { CompletedPart, S3Bucket } from './s3-bucket.js';
import { copyObject, type CopyLimits } from './s3-copy.js';
import { assembledKey } from './upload-keys.js';

/**
 * The upload's bytes as one object. S3 cannot read an open multipart upload, so one with parts is
 * completed (the tail copied in server-side as the last part) into `uploads/<id>/assembled`; after
 * that the upload takes no more appends. Safe to repeat: an upload already assembled is found by its
 * size. Returns the key of the object holding the bytes, or undefined for an upload without bytes.
 */
async function assemble(bucket: S3Bucket, signal: AbortSignal, upload: UploadRef, state: UploadState): Promise<string | undefined> {
  if (!state.uploadId) {
    if (state.tail) return state.tail.key;
    await requireOpen(bucket, signal, upload.id);
    return undefined;
  }
  const key = assembledKey(upload.id);
  if ((await bucket.head(signal, key))?.size === upload.size) return key;
  try {
    const parts: CompletedPart[] = [...state.parts];
    if (state.tail) {
      const n = parts.length + 1;
      parts.push({ n, etag: await bucket.uploadPartCopy(signal, key, state.uploadId, n, state.tail.key) });
    }
    await bucket.completeMultipart(signal, key, state.uploadId, parts);
  } catch (err) {
    if (isStorageError(err, 'INVALID_UPLOAD') || isStorageError(err, 'NOT_FOUND')) throw gone(upload.id);
    throw err;
  }
  return key;
}

/** The bytes appended so far (see assemble: an upload with parts is completed first). */
export async function readUploadBytes(bucket: S3Bucket, ctx: OpContext, upload: UploadRef): Promise<Readable> {
  const state = decodeState(upload);
  const key = await assemble(bucket, ctx.signal, upload, state);
  if (key === undefined) return Readable.from([]);
  try {
    return await bucket.get(ctx.signal, key);
  } catch (err) {
    if (isStorageError(err, 'NOT_FOUND')) throw gone(upload.id);
    throw err;
  }
}

/**
 * Makes the upload's bytes the object at `key`: assembles them, copies them there server-side (a
 * multipart upload's key is fixed when it starts, before the digest is known), then removes the
 * upload's objects. A failure of that last clean-up is only logged: the object is in place.
 */
export async function commitUploadTo(bucket: S3Bucket, limits: CopyLimits, ctx: OpContext, upload: UploadRef, key: string): Promise<void> {
  const state = decodeState(upload);
  const source = await assemble(bucket, ctx.signal, upload, state);
  try {
    if (source === undefined) await bucket.put(ctx.signal, key, new Uint8Array(0));
    else await copyObject(bucket, ctx.signal, source, key, upload.size, limits);
  } catch (err) {
    if (isStorageError(err, 'NOT_FOUND')) throw gone(upload.id);
    throw err;
  }
  try {
    // The multipart upload is complete: only ones of failed appends can be left to abort.
    await removeUploadObjects(bucket, ctx.signal, upload.id, undefined);
  } catch (err) {
    ctx.log.warn({ err, upload: upload.id }, 'a committed upload left objects under its prefix');
  }
}

/** Discards the upload: its multipart uploads and every object under its prefix. Idempotent. */
export async function discardUpload(bucket: S3Bucket, ctx: OpContext, upload: UploadRef): Promise<void> {
  let state: UploadState | undefined;
  try {
    state = decodeState(upload);
  } catch (err) {
    // A state from elsewhere still names the upload's prefix, which is all that clean-up needs.
    if (!(err instanceof StorageError)) throw err;
  }
  await removeUploadObjects(bucket, ctx.signal, upload.id, state);
}

async function removeUploadObjects(bucket: S3Bucket, signal: AbortSignal, id: string, state: UploadState | undefined): Promise<void> {
  const prefix = uploadPrefix(id);
  await Promise.all([
    // The listing finds multipart uploads of failed appends too; the known one is aborted directly
    // because some S3-compatible servers list multipart uploads only eventually.
    (async () => {
      if (state?.uploadId) await bucket.abortMultipart(signal, assembledKey(id), state.uploadId);
      await bucket.abortMultipartsUnder(signal, prefix);
    })(),
    bucket.deleteUnder(signal, prefix),
  ]);
}
