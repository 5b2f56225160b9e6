import type { Readable } from 'node:stream';
import type { OpContext } from '../core/context.js';

/** What a driver knows about a stored object. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly modified: Date;
}

/** An inclusive byte range, as in HTTP's Range header. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * An upload in progress as the driver sees it. `state` is the driver's own opaque text (a multipart
 * upload id and part list on S3, nothing on a filesystem); the registry keeps it in the upload row so
 * that any node can continue the upload.
 */
export interface UploadRef {
  readonly id: string;
  readonly size: number;
  readonly state: string;
}

/** The largest range a caller reads with readSmall. */
export const SMALL_READ_BYTES = 256 * 1024;

/**
 * The storage contract: immutable objects addressed by key, plus upload sessions that become objects.
 * Keys are relative, slash-separated (see keys.ts). Every method rejects with StorageError.
 */
export interface BlobDriver {
  /** Size and time of the object at `key`, or null when there is none. */
  stat(ctx: OpContext, key: string): Promise<ObjectInfo | null>;
  /** The object's bytes, or the inclusive `range` of them. Rejects NOT_FOUND when absent. */
  read(ctx: OpContext, key: string, range?: ByteRange): Promise<Readable>;
  /**
   * The inclusive `range` of the object's bytes in one buffer, for a range of at most SMALL_READ_BYTES,
   * where a store has a faster path for that than a stream. Rejects NOT_FOUND when absent.
   */
  readSmall?(ctx: OpContext, key: string, range: ByteRange): Promise<Buffer>;
  /** Stores a small object whole; atomic and durable: readers see all of it or nothing. */
  put(ctx: OpContext, key: string, data: Uint8Array): Promise<void>;
  /** Removes the object; succeeds when it is already gone. */
  delete(ctx: OpContext, key: string): Promise<void>;
  /** Removes the objects (in batches where the store has them); succeeds for those already gone. */
  deleteMany(ctx: OpContext, keys: readonly string[]): Promise<void>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(ctx: OpContext, prefix: string): AsyncIterable<ObjectInfo>;

  /**
   * Prepares storage for a new upload; the returned ref has size 0. A store may put off its work until
   * the first append (the filesystem does: a small upload completed from memory never touches it), so
   * an append at size 0 may begin an upload's storage anew; the registry's upload rows say which
   * uploads are live.
   */
  createUpload(ctx: OpContext, id: string): Promise<UploadRef>;
  /**
   * Appends `chunks` at `upload.size` and returns the ref after them. The appended bytes survive a
   * crash of the process when this resolves, and a power cut once commitUpload has resolved (a store
   * may sync them in between). On rejection the upload is as it was before the call (its size unchanged).
   */
  appendUpload(ctx: OpContext, upload: UploadRef, chunks: AsyncIterable<Uint8Array>): Promise<UploadRef>;
  /** The bytes appended so far. */
  readUpload(ctx: OpContext, upload: UploadRef): Promise<Readable>;
  /** Makes the upload's bytes the object at `key` (replacing an identical one), durably, and ends the upload. */
  commitUpload(ctx: OpContext, upload: UploadRef, key: string): Promise<void>;
  /** Discards the upload; succeeds when it is already gone. */
  abortUpload(ctx: OpContext, upload: UploadRef): Promise<void>;
  /**
   * A URL from which a plain HTTP GET (with or without a Range header) fetches the object at `key` for
   * the next `expiresInSeconds`, without credentials: a presigned URL. Only stores that can serve
   * clients directly have it. It does not check that the object exists.
   */
  downloadUrl?(ctx: OpContext, key: string, expiresInSeconds: number): Promise<string>;
  /** Releases resources (connections, handles). */
  close(): Promise<void>;
}
