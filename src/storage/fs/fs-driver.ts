import { existsSync, readSync, unlinkSync } from 'node:fs';
import { mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { OpContext } from '../../core/context.js';
import type { BlobDriver, ByteRange, ObjectInfo, UploadRef } from '../blob-driver.js';
import { UPLOADS_PREFIX } from '../keys.js';
import { StorageError } from '../storage-error.js';
import { FileRangeStream } from './file-range-stream.js';
import { PIECE_BYTES, writeStreaming } from './streaming-writer.js';
import { AlignedBuffers, type DirectIo } from './direct-io.js';
import { closeQuietly, datasyncFd, openDirectNow, openFd, openNow, renameFd, sizeNow, syncFd, truncateFd, writeFd } from './fd.js';

const TMP_DIR = '_tmp';
/**
 * Aligned buffers for O_DIRECT: 4 large uploads (2 each) and 4 large piped reads (3 each) at once bypass the
 * page cache, the rest go through it. 20 MiB in all, once used.
 */
const DIRECT_WRITE_BUFFERS = 8;
const DIRECT_READ_BUFFERS = 12;

/**
 * Objects as files under a root folder. Writes go to a temporary file, which is renamed into place and
 * synced (see put and commitUpload), so a crash leaves either the whole object or none of it. An
 * upload is one file, `uploads/<id>`, made by its first append: an upload completed from memory (a
 * small monolithic push) never has one.
 */
export class FsBlobDriver implements BlobDriver {
  /**
   * Open descriptors of the content folders, to fsync after a rename without an open and a close
   * each time. Content keys fan out into at most 256 folders per digest algorithm, so this stays small.
   */
  private readonly dirFds = new Map<string, Promise<number>>();
  /**
   * The fdatasync each upload's last append started and did not wait for, so a PATCH answers as soon
   * as its bytes are written (a crash of the process keeps them: they are in the page cache) while the
   * disk catches up during the next chunk. commitUpload waits for it: nothing becomes content before
   * its bytes are on disk. An entry leaves once its sync succeeded, or with its upload.
   */
  private readonly uploadSyncs = new Map<string, Promise<void>>();
  /** The last put of each key in progress: the next put of the key waits for it. */
  private readonly puts = new Map<string, Promise<void>>();
  /** Uploads write, and large reads read, past the page cache until the filesystem refuses O_DIRECT once (tmpfs does). */
  private directIo = openDirectNow !== undefined;
  private readonly writeBuffers = new AlignedBuffers(DIRECT_WRITE_BUFFERS, PIECE_BYTES);
  private readonly readBuffers = new AlignedBuffers(DIRECT_READ_BUFFERS, PIECE_BYTES);

  constructor(private readonly root: string) {}

  /** Creates the root folder; call once before use. */
  async init(): Promise<void> {
    await mkdir(path.join(this.root, TMP_DIR), { recursive: true });
    await mkdir(path.join(this.root, UPLOADS_PREFIX), { recursive: true });
  }

  async stat(_ctx: OpContext, key: string): Promise<ObjectInfo | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size, modified: info.mtime } : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw unavailable(err);
    }
  }

  async read(_ctx: OpContext, key: string, range?: ByteRange): Promise<Readable> {
    const fd = this.openForRead(key);
    return new FileRangeStream(fd, range?.start ?? 0, range?.end ?? sizeNow(fd) - 1, this.directAccess(this.pathOf(key), 'r'));
  }

  /**
   * One inline read: from the page cache a small range takes microseconds, less than the thread-pool
   * round trips of a read stream; and a buffer handed to the socket whole is garbage at once, where a
   * stream's chunks live long enough to pile up in the old generation (RSS +60 MiB under load, measured).
   */
  async readSmall(_ctx: OpContext, key: string, range: ByteRange): Promise<Buffer> {
    return readNow(this.openForRead(key), range);
  }

  /**
   * The temporary file is renamed into place before it is synced: one fsync of the file then makes its
   * bytes, its inode and its new name durable together (ext4, XFS and btrfs persist a file's last rename
   * with it), one device flush where syncing the file and then its folder takes two. Until the put
   * resolves, a power cut may leave the key short or empty, which is harmless: the registry reads
   * content only through rows it commits after the put resolved. A crash of the process still leaves
   * all of it or nothing (the rename is atomic, and comes after the last write).
   */
  async put(_ctx: OpContext, key: string, data: Uint8Array): Promise<void> {
    // Two puts of one key at once: the second would rename its file over the first's, whose fsync then
    // no longer covers the name, so the second waits.
    const previous = this.puts.get(key);
    const mine = (async () => {
      await previous?.catch(() => {});
      await this.putNow(key, data);
    })();
    this.puts.set(key, mine);
    try {
      await mine;
    } finally {
      if (this.puts.get(key) === mine) this.puts.delete(key);
    }
  }

  private async putNow(key: string, data: Uint8Array): Promise<void> {
    const temp = path.join(this.root, TMP_DIR, randomUUID());
    try {
      const fd = await openFd(temp, 'w');
      try {
        for (let at = 0; at < data.length; ) at += (await writeFd(fd, data, at, data.length - at, at)).bytesWritten;
        await this.renameInto(temp, this.pathOf(key));
        await syncFd(fd);
      } finally {
        closeQuietly(fd);
      }
    } catch (err) {
      await rm(temp, { force: true }).catch(() => {});
      throw unavailable(err);
    }
  }

  async delete(_ctx: OpContext, key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (!isNotFound(err)) throw unavailable(err);
    }
  }

  async deleteMany(ctx: OpContext, keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(ctx, key);
  }

  async *list(_ctx: OpContext, prefix: string): AsyncIterable<ObjectInfo> {
    // Walk the folder that holds the prefix, then filter by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    for await (const key of this.walk(base)) {
      if (!key.startsWith(prefix)) continue;
      const info = await this.stat(_ctx, key);
      if (info) yield info;
    }
  }

  async createUpload(_ctx: OpContext, id: string): Promise<UploadRef> {
    return { id, size: 0, state: '' };
  }

  async appendUpload(ctx: OpContext, upload: UploadRef, chunks: AsyncIterable<Uint8Array>): Promise<UploadRef> {
    const fd = upload.size === 0 ? await this.createUploadFile(upload.id) : this.openUploadFile(upload.id);
    let syncing = false;
    try {
      // Writing at explicit positions makes a failed earlier append harmless: its stray tail is
      // overwritten here and cut off by the truncate.
      const written = await writeStreaming(fd, upload.size, chunks, ctx.signal, this.directAccess(this.uploadFile(upload.id), 'w'));
      const size = upload.size + written;
      if (sizeNow(fd) > size) await truncateFd(fd, size);
      this.syncInBackground(upload.id, fd);
      syncing = true;
      return { ...upload, size };
    } catch (err) {
      if (err instanceof StorageError) throw err;
      if (ctx.signal.aborted) throw new StorageError('ABORTED', 'upload aborted by the client', { cause: err });
      throw err;
    } finally {
      if (!syncing) closeQuietly(fd);
    }
  }

  async readUpload(_ctx: OpContext, upload: UploadRef): Promise<Readable> {
    if (upload.size === 0) return Readable.from([]);
    return this.read(_ctx, `${UPLOADS_PREFIX}${upload.id}`, { start: 0, end: upload.size - 1 });
  }

  async commitUpload(_ctx: OpContext, upload: UploadRef, key: string): Promise<void> {
    const file = this.uploadFile(upload.id);
    if (upload.size === 0) {
      await this.put(_ctx, key, new Uint8Array(0));
      return this.abortUpload(_ctx, upload);
    }
    try {
      await this.uploadSynced(upload.id, file);
      await this.moveIntoPlace(file, this.pathOf(key));
    } catch (err) {
      if (isNotFound(err)) throw new StorageError('INVALID_UPLOAD', `upload ${upload.id} has no data file`);
      throw unavailable(err);
    }
  }

  async abortUpload(_ctx: OpContext, upload: UploadRef): Promise<void> {
    await this.uploadSyncs.get(upload.id)?.catch(() => {});
    this.uploadSyncs.delete(upload.id);
    if (upload.size === 0 && removedNow(this.uploadFile(upload.id))) return;
    try {
      // recursive: an upload written by an older Berth is a folder
      await rm(this.uploadFile(upload.id), { recursive: true, force: true });
    } catch (err) {
      throw unavailable(err);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.uploadSyncs.values());
    this.uploadSyncs.clear();
    const fds = [...this.dirFds.values()];
    this.dirFds.clear();
    await Promise.all(fds.map(async (fd) => closeQuietly(await fd.catch(() => -1))));
  }

  /** O_DIRECT access to `file`, to read or to write, while the filesystem allows it. */
  private directAccess(file: string, mode: 'r' | 'w'): DirectIo | undefined {
    if (!this.directIo) return undefined;
    return {
      buffers: mode === 'r' ? this.readBuffers : this.writeBuffers,
      refuse: () => {
        this.directIo = false;
      },
      open: () => {
        try {
          return openDirectNow!(file, mode);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw unavailable(err);
          this.directIo = false;
          return undefined;
        }
      },
    };
  }

  /** Syncs and then closes `fd`, an upload's file, after whatever sync of the upload is still running. */
  private syncInBackground(id: string, fd: number): void {
    const earlier = this.uploadSyncs.get(id) ?? Promise.resolve();
    const synced = Promise.all([earlier, datasyncFd(fd)])
      .then(() => {
        if (this.uploadSyncs.get(id) === synced) this.uploadSyncs.delete(id);
      })
      .finally(() => closeQuietly(fd));
    synced.catch(() => {}); // commitUpload reports the failure
    this.uploadSyncs.set(id, synced);
  }

  /** Waits for the upload's background sync; without one (it finished, or another process wrote the file), syncs the file. */
  private async uploadSynced(id: string, file: string): Promise<void> {
    const pending = this.uploadSyncs.get(id);
    if (pending) {
      await pending;
      this.uploadSyncs.delete(id);
      return;
    }
    const fd = openNow(file, 'r+');
    try {
      await datasyncFd(fd);
    } finally {
      closeQuietly(fd);
    }
  }

  private pathOf(key: string): string {
    if (key.includes('..') || key.startsWith('/')) throw new StorageError('NOT_FOUND', `invalid key ${key}`);
    return path.join(this.root, key);
  }

  private uploadFile(id: string): string {
    return this.pathOf(`${UPLOADS_PREFIX}${id}`);
  }

  /** The upload's file, made empty (a failed first append may have left bytes in it). */
  private async createUploadFile(id: string): Promise<number> {
    const file = this.uploadFile(id);
    const create = () => openFd(file, 'w+');
    try {
      return await create();
    } catch (err) {
      if (!isNotFound(err)) throw notAnUploadFile(id, err);
    }
    // The uploads folder was removed behind our back.
    try {
      await mkdir(path.dirname(file), { recursive: true });
      return await create();
    } catch (err) {
      throw notAnUploadFile(id, err);
    }
  }

  private openUploadFile(id: string): number {
    try {
      return openNow(this.uploadFile(id), 'r+');
    } catch (err) {
      throw notAnUploadFile(id, err);
    }
  }

  private openForRead(key: string): number {
    try {
      return openNow(this.pathOf(key), 'r');
    } catch (err) {
      if (isNotFound(err)) throw new StorageError('NOT_FOUND', `no object at ${key}`);
      throw unavailable(err);
    }
  }

  /** rename() is atomic; syncing the folder makes the new name survive a crash. */
  private async moveIntoPlace(from: string, to: string): Promise<void> {
    const dirFd = await this.openDir(path.dirname(to));
    await this.renameInto(from, to);
    await syncFd(dirFd);
  }

  private async renameInto(from: string, to: string): Promise<void> {
    await renameFd(from, to).catch(async (err: unknown) => {
      if (!isNotFound(err)) throw err;
      // The folder is not there yet, or was removed behind our back (or `from` is gone: then this fails again).
      await mkdir(path.dirname(to), { recursive: true });
      await renameFd(from, to);
    });
  }

  /** The folder's descriptor, making the folder first when needed. */
  private openDir(dir: string): Promise<number> {
    let fd = this.dirFds.get(dir);
    if (!fd) {
      fd = mkdir(dir, { recursive: true }).then(() => openFd(dir, 'r'));
      fd.catch(() => this.dirFds.delete(dir));
      this.dirFds.set(dir, fd);
    }
    return fd;
  }

  private async *walk(relDir: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(path.join(this.root, relDir), { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw unavailable(err);
    }
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) yield* this.walk(rel);
      else if (entry.isFile()) yield rel;
    }
  }
}

/** The bytes of `range` of the file `fd`, which it closes. */
function readNow(fd: number, range: ByteRange): Buffer {
  try {
    const bytes = Buffer.allocUnsafe(range.end - range.start + 1);
    let got = 0;
    while (got < bytes.length) {
      const n = readSync(fd, bytes, got, bytes.length - got, range.start + got);
      if (n === 0) throw new Error(`the file ends at byte ${range.start + got}, before the range does`);
      got += n;
    }
    return bytes;
  } catch (err) {
    throw unavailable(err);
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Removes the file of an upload that has no bytes, inline: usually there is none (the upload completed
 * from memory), and asking costs less than a thread-pool round trip (existsSync throws no error, which
 * unlinking a missing file would: that costs ~35 µs here). False when something else is there to
 * remove, such as an older Berth's upload folder.
 */
function removedNow(file: string): boolean {
  if (!existsSync(file)) return true;
  try {
    unlinkSync(file);
    return true;
  } catch (err) {
    return isNotFound(err);
  }
}

/** INVALID_UPLOAD when the upload's file is missing, or is a folder (an upload an older Berth began: its client starts again). */
function notAnUploadFile(id: string, err: unknown): StorageError {
  if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') return new StorageError('INVALID_UPLOAD', `upload ${id} has no data file`);
  return unavailable(err);
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function unavailable(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageError('UNAVAILABLE', `filesystem storage failed: ${(err as Error).message}`, { cause: err });
}
