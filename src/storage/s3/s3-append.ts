import type { OpContext } from '../../core/context.js';
import type { UploadRef } from '../blob-driver.js';
import { isStorageError, StorageError } from '../storage-error.js';
import { ByteQueue } from '../../core/byte-queue.js';
import { decodeState, encodeState, type PartRecord, type TailRecord, type UploadState } from './multipart-state.js';
import { PartUploader } from './part-uploader.js';
import type { S3Bucket } from './s3-bucket.js';
import { MAX_PARTS, MIN_PART_SIZE, PART_CONCURRENCY, partSizeFor } from './s3-limits.js';
import { assembledKey, markerKey, tailKey } from './upload-keys.js';

const CLEANUP_TIMEOUT_MS = 10_000;

/** A failure of the caller's byte source, kept apart so it is not taken for a storage failure. */
class SourceFailure extends Error {
  constructor(readonly original: unknown) {
    super('the byte source failed');
  }
}

/**
 * Appends `chunks` to the upload. The pending tail (bytes after the last part) is read back and
 * streamed, with the new bytes, into parts of the part size; a remainder of at least S3's minimum
 * part size becomes a part too, a smaller one the new tail, written under a key of its own. The
 * returned state lists every part; nothing stays in this process. On failure nothing the previous
 * state refers to has changed (re-uploaded part numbers are not in it), so it is still valid.
 */
export async function appendToUpload(
  bucket: S3Bucket,
  partSize: number,
  ctx: OpContext,
  upload: UploadRef,
  chunks: AsyncIterable<Uint8Array>,
): Promise<UploadRef> {
  const state = decodeState(upload);
  const source = guardSource(chunks)[Symbol.asyncIterator]();
  const uploader = new PartUploader(bucket, assembledKey(upload.id), state.uploadId, ctx.signal, PART_CONCURRENCY);
  try {
    const first = await source.next();
    if (first.done) {
      await requireOpen(bucket, ctx.signal, upload.id);
      return upload;
    }
    const written = await writeParts(bucket, partSize, ctx, upload, state, uploader, first.value, source);
    return { ...upload, size: upload.size + written.received, state: encodeState(written.state) };
  } catch (err) {
    await uploader.cancel();
    if (uploader.createdUpload && uploader.uploadId) {
      // The multipart upload is in no state that survives this failure: don't leave it to be billed.
      await bucket.abortMultipart(AbortSignal.timeout(CLEANUP_TIMEOUT_MS), assembledKey(upload.id), uploader.uploadId).catch((cleanupErr: unknown) => {
        ctx.log.warn({ err: cleanupErr, upload: upload.id }, 'could not abort the multipart upload of a failed append');
      });
    }
    if (err instanceof SourceFailure) {
      if (ctx.signal.aborted) throw new StorageError('ABORTED', `upload ${upload.id}: the append was cancelled`, { cause: err.original });
      throw err.original;
    }
    throw err;
  } finally {
    // Stops the caller's stream when the append ended early; its own failure to stop changes nothing here.
    await Promise.resolve(source.return?.()).catch(() => {});
  }
}

/** Streams the old tail and the new bytes into parts and a new tail; returns the new state. */
async function writeParts(
  bucket: S3Bucket,
  partSize: number,
  ctx: OpContext,
  upload: UploadRef,
  state: UploadState,
  uploader: PartUploader,
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
): Promise<{ state: UploadState; received: number }> {
  const queue = new ByteQueue();
  let n = state.parts.length + 1;
  let received = 0;
  const fill = async (chunk: Uint8Array): Promise<void> => {
    queue.push(chunk);
    for (let size = partSizeFor(partSize, n); queue.size >= size; size = partSizeFor(partSize, n)) {
      await uploader.add(requirePartNumber(upload, n++), queue.take(size));
    }
  };
  // Reading the old tail back shows that the upload is still open; without a tail, the marker must.
  if (state.tail) {
    for await (const chunk of readTail(bucket, ctx.signal, upload, state.tail)) await fill(chunk);
  } else {
    await requireOpen(bucket, ctx.signal, upload.id);
  }
  for (let next: IteratorResult<Uint8Array> = { done: false, value: first }; !next.done; next = await rest.next()) {
    if (ctx.signal.aborted) throw new StorageError('ABORTED', `upload ${upload.id}: the append was cancelled`);
    received += next.value.byteLength;
    await fill(next.value);
  }
  if (queue.size >= MIN_PART_SIZE) await uploader.add(requirePartNumber(upload, n++), queue.takeAll());
  const added = await uploader.finish();
  const size = upload.size + received;
  let tail: TailRecord | undefined;
  if (queue.size > 0) {
    tail = { key: tailKey(upload.id, size - queue.size, size), size: queue.size };
    await bucket.put(ctx.signal, tail.key, queue.takeAll());
  }
  const parts: PartRecord[] = [...state.parts, ...added];
  const uploadId = uploader.uploadId;
  return { state: { ...(uploadId ? { uploadId } : {}), parts, ...(tail ? { tail } : {}) }, received };
}

/** The pending tail's bytes; INVALID_UPLOAD when it is gone (the upload was committed or aborted). */
async function* readTail(bucket: S3Bucket, signal: AbortSignal, upload: UploadRef, tail: TailRecord): AsyncIterable<Uint8Array> {
  let read = 0;
  try {
    for await (const chunk of await bucket.get(signal, tail.key)) {
      read += (chunk as Buffer).byteLength;
      yield chunk as Buffer;
    }
  } catch (err) {
    if (isStorageError(err, 'NOT_FOUND')) throw gone(upload.id);
    if (err instanceof StorageError) throw err;
    throw new StorageError('UNAVAILABLE', `upload ${upload.id}: reading its pending bytes back from S3 failed (${(err as Error).message})`, { cause: err });
  }
  if (read !== tail.size) throw new StorageError('INVALID_UPLOAD', `upload ${upload.id}: its pending bytes hold ${read} bytes, not ${tail.size}`);
}

/** Resolves when the upload's marker exists, i.e. it was neither committed nor aborted. */
export async function requireOpen(bucket: S3Bucket, signal: AbortSignal, id: string): Promise<void> {
  if (!(await bucket.head(signal, markerKey(id)))) throw gone(id);
}

export function gone(id: string): StorageError {
  return new StorageError('INVALID_UPLOAD', `upload ${id} is unknown to storage: it was committed or aborted`);
}

function requirePartNumber(upload: UploadRef, n: number): number {
  // The last number is kept for the tail, which becomes a part when the upload is assembled.
  if (n >= MAX_PARTS) throw new StorageError('INVALID_UPLOAD', `upload ${upload.id} is too large: S3 allows ${MAX_PARTS} parts`);
  return n;
}

async function* guardSource(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of chunks) if (chunk.byteLength > 0) yield chunk;
  } catch (err) {
    throw new SourceFailure(err);
  }
}
