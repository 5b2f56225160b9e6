import { Readable } from 'node:stream';
import type { OpContext } from '../../core/context.js';
import type { BlobDriver, ByteRange, ObjectInfo, UploadRef } from '../blob-driver.js';
import { StorageError } from '../storage-error.js';

/** Objects in a Map: for tests and throwaway registries. Holds every byte in memory by design. */
export class MemoryBlobDriver implements BlobDriver {
  private readonly objects = new Map<string, { data: Buffer; modified: Date }>();
  private readonly uploads = new Map<string, Buffer[]>();

  async stat(_ctx: OpContext, key: string): Promise<ObjectInfo | null> {
    const object = this.objects.get(key);
    return object ? { key, size: object.data.length, modified: object.modified } : null;
  }

  async read(_ctx: OpContext, key: string, range?: ByteRange): Promise<Readable> {
    const object = this.objects.get(key);
    if (!object) throw new StorageError('NOT_FOUND', `no object at ${key}`);
    const data = range ? object.data.subarray(range.start, range.end + 1) : object.data;
    return Readable.from([data]);
  }

  async put(_ctx: OpContext, key: string, data: Uint8Array): Promise<void> {
    this.objects.set(key, { data: Buffer.from(data), modified: new Date() });
  }

  async delete(_ctx: OpContext, key: string): Promise<void> {
    this.objects.delete(key);
  }

  async deleteMany(_ctx: OpContext, keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  async *list(_ctx: OpContext, prefix: string): AsyncIterable<ObjectInfo> {
    for (const [key, object] of [...this.objects]) {
      if (key.startsWith(prefix)) yield { key, size: object.data.length, modified: object.modified };
    }
  }

  async createUpload(_ctx: OpContext, id: string): Promise<UploadRef> {
    this.uploads.set(id, []);
    return { id, size: 0, state: '' };
  }

  async appendUpload(_ctx: OpContext, upload: UploadRef, chunks: AsyncIterable<Uint8Array>): Promise<UploadRef> {
    const parts = this.uploads.get(upload.id);
    if (!parts) throw new StorageError('INVALID_UPLOAD', `upload ${upload.id} is unknown`);
    const added: Buffer[] = [];
    for await (const chunk of chunks) added.push(Buffer.from(chunk));
    // Only a fully received append counts, matching the durable drivers.
    const kept = Buffer.concat(parts).subarray(0, upload.size);
    const next = [kept, ...added];
    this.uploads.set(upload.id, next);
    return { ...upload, size: next.reduce((sum, part) => sum + part.length, 0) };
  }

  async readUpload(_ctx: OpContext, upload: UploadRef): Promise<Readable> {
    const parts = this.uploads.get(upload.id);
    if (!parts) throw new StorageError('INVALID_UPLOAD', `upload ${upload.id} is unknown`);
    return Readable.from([Buffer.concat(parts).subarray(0, upload.size)]);
  }

  async commitUpload(_ctx: OpContext, upload: UploadRef, key: string): Promise<void> {
    const parts = this.uploads.get(upload.id);
    if (!parts) throw new StorageError('INVALID_UPLOAD', `upload ${upload.id} is unknown`);
    this.objects.set(key, { data: Buffer.concat(parts).subarray(0, upload.size), modified: new Date() });
    this.uploads.delete(upload.id);
  }

  async abortUpload(_ctx: OpContext, upload: UploadRef): Promise<void> {
    this.uploads.delete(upload.id);
  }

  async close(): Promise<void> {}
}
