import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

/** Bytes read from the file at a time: the central directory and the entries are read in order, so most reads hit a window. */
const WINDOW_BYTES = 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;

/**
 * The zip file as yauzl reads it, through two read-ahead windows (one follows the central directory,
 * the other the entries' data): a zip of small records would otherwise cost several reads per entry.
 */
export class WindowedFileReader extends yauzl.RandomAccessReader {
  private windows: { start: number; data: Buffer }[] = [];

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return createReadStream('', { fd: this.handle.fd, start, end: end - 1, autoClose: false });
  }

  /** As fs.read: fills `length` bytes of `buffer` from `position` (fewer only at the end of the file). */
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    this.readRange(position, length).then(
      (bytes) => callback(null, bytes.copy(buffer, offset)),
      (err: Error) => callback(err),
    );
  }

  /** `length` bytes from `position` (fewer at the end of the file); a view of a window when one holds them. */
  async readRange(position: number, length: number): Promise<Buffer> {
    const end = Math.min(position + length, this.size);
    const hit = this.windows.find((w) => w.start <= position && end <= w.start + w.data.length);
    if (hit) return hit.data.subarray(position - hit.start, end - hit.start);
    if (length > WINDOW_BYTES) return this.readAt(position, end - position);
    const data = await this.readAt(position, Math.min(WINDOW_BYTES, this.size - position));
    // Keep the most recent window and this one.
    this.windows = [...this.windows.slice(-1), { start: position, data }];
    return data.subarray(0, end - position);
  }

  private async readAt(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(Math.max(0, length));
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  }
}

/**
 * An entry's content, inflated to at most `limit` bytes (a zip bomb stops there). Throws an Error
 * saying why it cannot be read: encrypted, an unknown compression method, too large, corrupt.
 */
export async function readZipEntry(zip: yauzl.ZipFile, reader: WindowedFileReader, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  if (entry.isEncrypted()) throw new Error('encrypted; skipped');
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) throw new Error(`compression method ${entry.compressionMethod} is not supported; skipped`);
  if (entry.compressedSize > limit) throw new Error(`${entry.compressedSize} bytes compressed, larger than a record may be; skipped`);
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const raw = await reader.readRange(fileDataStart, entry.compressedSize);
  if (raw.length !== entry.compressedSize) throw new Error('the zip file ends inside this entry; skipped');
  const data = entry.compressionMethod === STORED ? Buffer.from(raw) : inflate(raw, limit);
  if (data.length !== entry.uncompressedSize) throw new Error(`inflates to ${data.length} bytes where its header says ${entry.uncompressedSize}; skipped`);
  return data;
}

function inflate(raw: Buffer, limit: number): Buffer {
  try {
    return inflateRawSync(raw, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`inflates to more than ${limit} bytes; skipped`);
    throw new Error(`cannot be inflated (${(err as Error).message}); skipped`);
  }
}
