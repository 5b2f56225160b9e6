import { open, opendir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { readZipEntry, WindowedFileReader } from './zip-reader.js';

/** One file of an OSV source (a record's JSON, as bytes), or why it could not be read. */
export type SourceEntry =
  | { readonly kind: 'data'; readonly name: string; readonly data: Buffer; readonly position: number }
  | { readonly kind: 'unreadable'; readonly name: string; readonly reason: string; readonly position: number };

/** Where records come from: a directory, a zip (OSV's all.zip) or one JSON file. */
export interface OsvSource {
  readonly kind: 'directory' | 'zip' | 'file';
  /** Bytes there are to read (the zip's size, compressed); unknown for a directory. */
  readonly totalBytes?: number;
  /**
   * The JSON files, read one at a time (never all at once). `position` counts the bytes read so far:
   * of the files for a directory, of the zip (compressed) for a zip.
   */
  entries(): AsyncIterable<SourceEntry>;
}

const ZIP_SIGNATURES = [0x04034b50, 0x06054b50, 0x06064b50];

/**
 * The source at `file`: a directory of `*.json` records (searched recursively), a zip of them, or a
 * single `.json` record. Files larger than `maxFileBytes` come out unreadable, unread.
 * Throws an Error naming the path when it is none of these or cannot be opened.
 */
export async function openOsvSource(file: string, maxFileBytes: number): Promise<OsvSource> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${file}: no such file or directory` : `${file}: ${err.message}`);
  });
  if (info.isDirectory()) return { kind: 'directory', entries: () => directoryEntries(file, maxFileBytes) };
  const kinds = 'a directory of OSV records, a zip of them (all.zip) or one .json record';
  if (!info.isFile()) throw new Error(`${file}: not ${kinds}`);
  if (await startsWithZipSignature(file)) {
    return { kind: 'zip', totalBytes: info.size, entries: () => zipEntries(file, maxFileBytes) };
  }
  if (file.toLowerCase().endsWith('.zip')) throw new Error(`${file}: not a zip file (it does not start with a zip signature)`);
  if (file.toLowerCase().endsWith('.json')) return { kind: 'file', totalBytes: info.size, entries: () => fileEntry(file, info.size, maxFileBytes) };
  throw new Error(`${file}: not ${kinds}`);
}

async function startsWithZipSignature(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && ZIP_SIGNATURES.includes(head.readUInt32LE(0));
  } finally {
    await handle.close();
  }
}

async function* fileEntry(file: string, size: number, maxFileBytes: number): AsyncGenerator<SourceEntry> {
  yield size > maxFileBytes ? tooLarge(file, size, size) : { kind: 'data', name: file, data: await readFile(file), position: size };
}

async function* directoryEntries(root: string, maxFileBytes: number): AsyncGenerator<SourceEntry> {
  let position = 0;
  for await (const file of jsonFiles(root)) {
    let entry: SourceEntry;
    try {
      const { size } = await stat(file);
      position += size;
      entry = size > maxFileBytes ? tooLarge(file, size, position) : { kind: 'data', name: file, data: await readFile(file), position };
    } catch (err) {
      entry = { kind: 'unreadable', name: file, reason: (err as Error).message, position };
    }
    yield entry;
  }
}

/** The `*.json` files under `dir`, depth first, without holding a listing (OSV directories are large). */
async function* jsonFiles(dir: string): AsyncGenerator<string> {
  for await (const dirent of await opendir(dir)) {
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) yield* jsonFiles(full);
    // A symbolic link counts when it leads to a file (links to directories are not followed: no cycles).
    else if (dirent.name.toLowerCase().endsWith('.json') && (dirent.isFile() || (dirent.isSymbolicLink() && (await isFile(full))))) yield full;
  }
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

/**
 * The `*.json` entries of the zip at `file`, from its central directory, each inflated on its own.
 * An entry whose stated or actual size passes `maxFileBytes` is not inflated past it (zip bomb guard).
 */
async function* zipEntries(file: string, maxFileBytes: number): AsyncGenerator<SourceEntry> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const reader = new WindowedFileReader(handle, size);
    const zip = await yauzl.fromRandomAccessReaderPromise(reader, size, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }).catch((err: Error) => {
      throw new Error(`${file}: not a readable zip file: ${err.message}`);
    });
    let position = 0;
    const entries = zip.eachEntry();
    for (;;) {
      const next = await entries.next().catch((err: Error) => {
        throw new Error(`${file}: a damaged zip file: ${err.message}`);
      });
      if (next.done) break;
      const entry = next.value;
      // The local header (30 bytes, name, extra field) precedes the data.
      position = Math.max(position, entry.relativeOffsetOfLocalHeader + 30 + entry.fileNameLength + entry.extraFieldLength + entry.compressedSize);
      const name = entry.fileName;
      if (name.endsWith('/') || !name.toLowerCase().endsWith('.json')) continue;
      if (entry.uncompressedSize > maxFileBytes) {
        yield tooLarge(name, entry.uncompressedSize, position);
        continue;
      }
      let data: Buffer;
      try {
        data = await readZipEntry(zip, reader, entry, maxFileBytes);
      } catch (err) {
        yield { kind: 'unreadable', name, reason: (err as Error).message, position };
        continue;
      }
      yield { kind: 'data', name, data, position };
    }
  } finally {
    await handle.close();
  }
}

function tooLarge(name: string, size: number, position: number): SourceEntry {
  return { kind: 'unreadable', name, reason: `${size} bytes, larger than a record may be; skipped`, position };
}
