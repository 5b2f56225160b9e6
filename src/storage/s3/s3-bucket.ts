import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ByteRange, ObjectInfo } from '../blob-driver.js';
import { isStorageError, StorageError } from '../storage-error.js';
import { toStorageError } from './s3-errors.js';

export interface BucketSettings {
  readonly bucket: string;
  readonly prefix: string;
  /** Where the bucket lives, for messages. */
  readonly where: string;
  readonly serverSideEncryption?: 'AES256' | 'aws:kms';
  readonly sseKmsKeyId?: string;
  readonly listPageSize: number;
}

export interface CompletedPart {
  readonly n: number;
  readonly etag: string;
}

const DELETE_BATCH = 1000;

/**
 * The S3 calls the driver makes, on keys relative to the driver's prefix. Every method rejects with a
 * StorageError (see s3-errors.ts) and passes `signal` to the SDK, which cancels the HTTP request.
 */
export class S3Bucket {
  constructor(
    private readonly client: S3Client,
    private readonly settings: BucketSettings,
  ) {}

  /** The object's size and time, or null when S3 answers 404 (which a HEAD also gives for a missing bucket). */
  async head(signal: AbortSignal, key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.call('HeadObject', key, signal, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.full(key) }), { abortSignal: signal }),
      );
      return { key, size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (isStorageError(err, 'NOT_FOUND')) return null;
      throw err;
    }
  }

  /** Resolves when the bucket exists and the credentials may use it; UNAVAILABLE naming the bucket otherwise. */
  async requireBucket(signal: AbortSignal): Promise<void> {
    try {
      await this.call('HeadBucket', undefined, signal, () =>
        this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }), { abortSignal: signal }),
      );
    } catch (err) {
      // A HEAD has no body, so a missing bucket is only a bare 404.
      if (isStorageError(err, 'NOT_FOUND')) throw toStorageError({ name: 'NoSuchBucket' }, this.describe('HeadBucket'));
      throw err;
    }
  }

  /** The object's bytes (or the inclusive range of them) as the SDK's response stream. */
  async get(signal: AbortSignal, key: string, range?: ByteRange): Promise<Readable> {
    const out = await this.call('GetObject', key, signal, () =>
      this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.full(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        { abortSignal: signal },
      ),
    );
    if (!(out.Body instanceof Readable)) throw new StorageError('UNAVAILABLE', `S3 GetObject of "${this.full(key)}" returned no stream`);
    return out.Body;
  }

  async put(signal: AbortSignal, key: string, body: Uint8Array): Promise<void> {
    await this.call('PutObject', key, signal, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.full(key), Body: body, ContentLength: body.byteLength, ...this.encryption() }),
        { abortSignal: signal },
      ),
    );
  }

  /** Server-side copy of a whole object (at most 5 GiB). */
  async copy(signal: AbortSignal, from: string, to: string): Promise<void> {
    await this.call('CopyObject', to, signal, () =>
      this.client.send(new CopyObjectCommand({ Bucket: this.settings.bucket, Key: this.full(to), CopySource: this.copySource(from), ...this.encryption() }), {
        abortSignal: signal,
      }),
    );
  }

  async delete(signal: AbortSignal, key: string): Promise<void> {
    await this.call('DeleteObject', key, signal, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.full(key) }), { abortSignal: signal }),
    );
  }

  /** Every object under `prefix`, page by page; keys come back without the driver's prefix. */
  async *list(signal: AbortSignal, prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', prefix, signal, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.settings.bucket,
            Prefix: this.full(prefix),
            MaxKeys: this.settings.listPageSize,
            ...(token ? { ContinuationToken: token } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(this.settings.prefix)) continue;
        yield { key: object.Key.slice(this.settings.prefix.length), size: object.Size ?? 0, modified: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Deletes every object under `prefix` (a list, then DeleteObjects in batches of 1,000). */
  async deleteUnder(signal: AbortSignal, prefix: string): Promise<void> {
    let batch: string[] = [];
    for await (const object of this.list(signal, prefix)) {
      batch.push(object.key);
      if (batch.length === DELETE_BATCH) await this.deleteMany(signal, batch.splice(0));
    }
    if (batch.length > 0) await this.deleteMany(signal, batch);
  }

  async createMultipart(signal: AbortSignal, key: string): Promise<string> {
    const out = await this.call('CreateMultipartUpload', key, signal, () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: this.settings.bucket, Key: this.full(key), ...this.encryption() }), { abortSignal: signal }),
    );
    if (!out.UploadId) throw new StorageError('UNAVAILABLE', `S3 CreateMultipartUpload of "${this.full(key)}" returned no upload id`);
    return out.UploadId;
  }

  /** Uploads (or replaces) part `n` and returns its ETag. */
  async uploadPart(signal: AbortSignal, key: string, uploadId: string, n: number, body: Uint8Array): Promise<string> {
    const out = await this.call('UploadPart', key, signal, () =>
      this.client.send(
        new UploadPartCommand({ Bucket: this.settings.bucket, Key: this.full(key), UploadId: uploadId, PartNumber: n, Body: body, ContentLength: body.byteLength }),
        { abortSignal: signal },
      ),
    );
    return requireEtag(out.ETag, 'UploadPart', this.full(key));
  }

  /** Makes part `n` a server-side copy of the object `from` (or the inclusive range of it). */
  async uploadPartCopy(signal: AbortSignal, key: string, uploadId: string, n: number, from: string, range?: ByteRange): Promise<string> {
    const out = await this.call('UploadPartCopy', key, signal, () =>
      this.client.send(
        new UploadPartCopyCommand({
          Bucket: this.settings.bucket,
          Key: this.full(key),
          UploadId: uploadId,
          PartNumber: n,
          CopySource: this.copySource(from),
          ...(range ? { CopySourceRange: `bytes=${range.start}-${range.end}` } : {}),
        }),
        { abortSignal: signal },
      ),
    );
    return requireEtag(out.CopyPartResult?.ETag, 'UploadPartCopy', this.full(key));
  }

  async completeMultipart(signal: AbortSignal, key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    await this.call('CompleteMultipartUpload', key, signal, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.settings.bucket,
          Key: this.full(key),
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.n, ETag: part.etag })) },
        }),
        { abortSignal: signal },
      ),
    );
  }

  /** Aborts the multipart upload; succeeds when S3 no longer knows it. */
  async abortMultipart(signal: AbortSignal, key: string, uploadId: string): Promise<void> {
    try {
      await this.call('AbortMultipartUpload', key, signal, () =>
        this.client.send(new AbortMultipartUploadCommand({ Bucket: this.settings.bucket, Key: this.full(key), UploadId: uploadId }), { abortSignal: signal }),
      );
    } catch (err) {
      if (!isStorageError(err, 'INVALID_UPLOAD') && !isStorageError(err, 'NOT_FOUND')) throw err;
    }
  }

  /** Aborts every multipart upload in progress on a key under `prefix`. */
  async abortMultipartsUnder(signal: AbortSignal, prefix: string): Promise<void> {
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    do {
      const page = await this.call('ListMultipartUploads', prefix, signal, () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.settings.bucket,
            Prefix: this.full(prefix),
            ...(keyMarker ? { KeyMarker: keyMarker } : {}),
            ...(idMarker ? { UploadIdMarker: idMarker } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key?.startsWith(this.full(prefix)) || !upload.UploadId) continue;
        await this.abortMultipart(signal, upload.Key.slice(this.settings.prefix.length), upload.UploadId);
      }
      [keyMarker, idMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
    } while (keyMarker);
  }

  /** A presigned GET URL for the object, valid for `expiresInSeconds`. */
  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.full(key) }), { expiresIn: expiresInSeconds });
    } catch (err) {
      throw toStorageError(err, this.describe('GetObject (presign)', key));
    }
  }

  /** Deletes the keys with DeleteObjects, 1,000 per request. */
  async deleteKeys(signal: AbortSignal, keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) await this.deleteMany(signal, keys.slice(i, i + DELETE_BATCH));
  }

  private async deleteMany(signal: AbortSignal, keys: readonly string[]): Promise<void> {
    const command = new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: keys.map((key) => ({ Key: this.full(key) })), Quiet: true } });
    // S3 requires an integrity header on DeleteObjects. The SDK sends a CRC32 one, which several
    // S3-compatible servers don't know; they ask for Content-MD5, which AWS accepts as well.
    command.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        if (request.headers && typeof request.body === 'string') {
          request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
        }
        return next(args);
      },
      { step: 'build', name: 'berthDeleteObjectsContentMd5' },
    );
    const out = await this.call('DeleteObjects', undefined, signal, () => this.client.send(command, { abortSignal: signal }));
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new StorageError('UNAVAILABLE', `S3 DeleteObjects in bucket "${this.settings.bucket}" failed for ${failed.length} keys (first: "${first.Key}", ${first.Code})`);
    }
  }

  private async call<T>(op: string, key: string | undefined, signal: AbortSignal, send: () => Promise<T>): Promise<T> {
    if (signal.aborted) throw toStorageError(signal.reason, this.describe(op, key), signal);
    try {
      return await send();
    } catch (err) {
      throw toStorageError(err, this.describe(op, key), signal);
    }
  }

  private describe(op: string, key?: string): { op: string; bucket: string; key?: string; where: string } {
    return { op, bucket: this.settings.bucket, where: this.settings.where, ...(key === undefined ? {} : { key: this.full(key) }) };
  }

  private full(key: string): string {
    return this.settings.prefix + key;
  }

  private copySource(key: string): string {
    return `${this.settings.bucket}/${encodeURIComponent(this.full(key)).replace(/%2F/g, '/')}`;
  }

  private encryption(): { ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string } {
    const { serverSideEncryption, sseKmsKeyId } = this.settings;
    if (!serverSideEncryption) return {};
    return { ServerSideEncryption: serverSideEncryption, ...(sseKmsKeyId ? { SSEKMSKeyId: sseKmsKeyId } : {}) };
  }
}

function requireEtag(etag: string | undefined, op: string, key: string): string {
  if (!etag) throw new StorageError('UNAVAILABLE', `S3 ${op} of "${key}" returned no ETag`);
  return etag;
}
