import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { OpContext } from '../../core/context.js';
import type { BlobDriver, ByteRange, ObjectInfo, UploadRef } from '../blob-driver.js';
import { StorageError } from '../storage-error.js';
import { encodeState } from './multipart-state.js';
import { appendToUpload } from './s3-append.js';
import { S3Bucket } from './s3-bucket.js';
import { createS3Client, describeEndpoint } from './s3-client.js';
import { commitUploadTo, discardUpload, readUploadBytes } from './s3-finish.js';
import { resolveS3Options, type ResolvedS3Options, type S3DriverOptions, type S3DriverTuning } from './s3-options.js';
import { markerKey } from './upload-keys.js';

export type { S3DriverOptions, S3DriverTuning } from './s3-options.js';

/** Presigned URLs live at most 7 days (SigV4's limit). */
const MAX_URL_SECONDS = 7 * 24 * 3600;

/**
 * Objects in an S3 bucket (AWS or any S3-compatible store). Uploads are S3 multipart uploads whose
 * whole state travels in UploadRef.state (see multipart-state.ts), so any node may continue one.
 */
export class S3BlobDriver implements BlobDriver {
  private readonly bucket: S3Bucket;

  constructor(
    private readonly client: S3Client,
    private readonly options: ResolvedS3Options,
  ) {
    this.bucket = new S3Bucket(client, {
      bucket: options.bucket,
      prefix: options.prefix,
      where: describeEndpoint(options),
      listPageSize: options.listPageSize,
      ...(options.serverSideEncryption ? { serverSideEncryption: options.serverSideEncryption } : {}),
      ...(options.sseKmsKeyId ? { sseKmsKeyId: options.sseKmsKeyId } : {}),
    });
  }

  async stat(ctx: OpContext, key: string): Promise<ObjectInfo | null> {
    const info = await this.bucket.head(ctx.signal, key);
    // A HEAD answers a bare 404 for a missing bucket too; only the bucket's own HEAD tells them apart.
    if (!info) await this.bucket.requireBucket(ctx.signal);
    return info;
  }

  read(ctx: OpContext, key: string, range?: ByteRange): Promise<Readable> {
    return this.bucket.get(ctx.signal, key, range);
  }

  put(ctx: OpContext, key: string, data: Uint8Array): Promise<void> {
    return this.bucket.put(ctx.signal, key, data);
  }

  delete(ctx: OpContext, key: string): Promise<void> {
    return this.bucket.delete(ctx.signal, key);
  }

  list(ctx: OpContext, prefix: string): AsyncIterable<ObjectInfo> {
    return this.bucket.list(ctx.signal, prefix);
  }

  deleteMany(ctx: OpContext, keys: readonly string[]): Promise<void> {
    return this.bucket.deleteKeys(ctx.signal, keys);
  }

  // The marker tells a later call that the upload is still open even while it holds no byte.
  async createUpload(ctx: OpContext, id: string): Promise<UploadRef> {
    await this.bucket.put(ctx.signal, markerKey(id), new Uint8Array(0));
    return { id, size: 0, state: encodeState({ parts: [] }) };
  }

  appendUpload(ctx: OpContext, upload: UploadRef, chunks: AsyncIterable<Uint8Array>): Promise<UploadRef> {
    return appendToUpload(this.bucket, this.options.partSize, ctx, upload, chunks);
  }

  readUpload(ctx: OpContext, upload: UploadRef): Promise<Readable> {
    return readUploadBytes(this.bucket, ctx, upload);
  }

  commitUpload(ctx: OpContext, upload: UploadRef, key: string): Promise<void> {
    return commitUploadTo(this.bucket, this.options, ctx, upload, key);
  }

  abortUpload(ctx: OpContext, upload: UploadRef): Promise<void> {
    return discardUpload(this.bucket, ctx, upload);
  }

  /** A presigned GET URL; signing is local, so this neither checks that the object exists nor calls S3. */
  async downloadUrl(ctx: OpContext, key: string, expiresInSeconds: number): Promise<string> {
    if (ctx.signal.aborted) throw new StorageError('ABORTED', `presigning ${key} was cancelled`);
    return this.bucket.presignGet(key, Math.max(1, Math.min(MAX_URL_SECONDS, Math.floor(expiresInSeconds))));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/**
 * A driver on the bucket of `options`. Opening makes no request; the first call that reaches S3
 * reports a wrong endpoint, bucket or credentials (stat of any key is a cheap check). `tuning` is for
 * tests only. Throws a TypeError on options that cannot work.
 */
export function openS3Driver(options: S3DriverOptions, tuning?: S3DriverTuning): S3BlobDriver {
  const resolved = resolveS3Options(options, tuning);
  return new S3BlobDriver(createS3Client(resolved), resolved);
}
