import { extract as tarExtract, type Extract, type Header } from 'tar-stream';
import { normalisePath } from '../detectors/image-paths.js';
import { formatBytes, ScanLimitExceeded, UnreadableLayer, UnsupportedLayer } from './limits.js';

/** An entry as tar-stream yields it: its header and its body stream. */
type Entry = Extract extends AsyncIterable<infer E> ? E : never;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** One entry of a layer tar, its body not yet read. */
export interface TarEntry {
  /** Normalised: no leading `./` or `/`. */
  readonly path: string;
  readonly type: TarEntryType;
  /** Symlinks: the target as written; hardlinks: the normalised path of the entry linked to. */
  readonly linkTarget?: string;
  readonly size: number;
  /** The whole body, which must be at most `maxBytes` (else ScanLimitExceeded); callable once. */
  read(maxBytes: number): Promise<Buffer>;
}

export interface TarReadOptions {
  readonly maxEntries: number;
  /** Names the layer in messages. */
  readonly what: string;
  /** Maps an error of the byte source (decompression) to the one to report. */
  readonly sourceError?: (err: unknown) => unknown;
}

/**
 * Reads a tar from `source` entry by entry, calling `visit` for each in order; bodies `visit` does not
 * read are drained (never held). Throws ScanLimitExceeded past `maxEntries` entries, UnsupportedLayer
 * when the bytes are not a tar at all, UnreadableLayer when a tar breaks off or is malformed.
 */
export async function readTarEntries(source: AsyncIterable<Uint8Array>, options: TarReadOptions, visit: (entry: TarEntry) => Promise<void>): Promise<void> {
  const extract = tarExtract();
  const entries = extract[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  const feeding = feed(source, extract).catch((err: unknown) => {
    failure = { error: options.sourceError ? options.sourceError(err) : err };
    extract.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  let count = 0;
  try {
    for (;;) {
      const next = await entries.next();
      if (next.done) break;
      count += 1;
      if (count > options.maxEntries) throw new ScanLimitExceeded(`${options.what} has more than ${options.maxEntries} entries (maxEntries)`);
      await visitEntry(next.value, visit);
    }
  } catch (err) {
    if (failure) throw failure.error;
    throw asTarError(err, count, options.what);
  } finally {
    if (!extract.destroyed) extract.destroy();
    await feeding;
  }
  if (failure) throw failure.error;
}

/** Writes the source into the extractor, honouring its backpressure; stops when the extractor is destroyed. */
async function feed(source: AsyncIterable<Uint8Array>, extract: Extract): Promise<void> {
  for await (const chunk of source) {
    if (extract.destroyed) return;
    if (!extract.write(chunk)) await drainedOrClosed(extract);
  }
  if (!extract.destroyed) extract.end(undefined);
}

/** Resolves on 'drain' or 'close', never rejects: the extractor's own errors reach the entry loop. */
function drainedOrClosed(extract: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      extract.off('drain', done);
      extract.off('close', done);
      resolve();
    };
    extract.on('drain', done);
    extract.on('close', done);
  });
}

async function visitEntry(stream: Entry, visit: (entry: TarEntry) => Promise<void>): Promise<void> {
  const header = stream.header;
  const type = entryType(header.type);
  const size = header.size ?? 0;
  let consumed = false;
  const linkname = header.linkname || undefined;
  const entry: TarEntry = {
    path: normalisePath(header.name),
    type,
    ...(linkname !== undefined && type === 'symlink' ? { linkTarget: linkname } : {}),
    ...(linkname !== undefined && type === 'hardlink' ? { linkTarget: normalisePath(linkname) } : {}),
    size,
    read: async (maxBytes) => {
      if (consumed) throw new Error('a tar entry body can be read once');
      consumed = true;
      return readBody(stream, entryPath(header.name), size, maxBytes);
    },
  };
  try {
    await visit(entry);
  } finally {
    if (!consumed) stream.resume();
  }
}

async function readBody(stream: Entry, path: string, size: number, maxBytes: number): Promise<Buffer> {
  const tooBig = (): ScanLimitExceeded => new ScanLimitExceeded(`${path} is larger than ${formatBytes(maxBytes)} (maxFileBytes)`);
  if (size > maxBytes) {
    stream.resume();
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const data of stream) {
    const chunk = data as Buffer;
    length += chunk.length;
    if (length > maxBytes) throw tooBig();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

function entryPath(name: string): string {
  return normalisePath(name) || '/';
}

function entryType(type: Header['type'] | null | undefined): TarEntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** tar-stream's errors: garbage before the first entry means the layer is not a tar; later, a broken one. */
function asTarError(err: unknown, entriesSeen: number, what: string): unknown {
  if (err instanceof ScanLimitExceeded || err instanceof UnsupportedLayer || err instanceof UnreadableLayer || !(err instanceof Error)) return err;
  if (/Invalid tar header/.test(err.message)) {
    return entriesSeen === 0 ? new UnsupportedLayer(`${what} is not a tar archive`) : new UnreadableLayer(`${what}: malformed tar header after ${entriesSeen} entries`);
  }
  if (/Unexpected end of data/.test(err.message)) return new UnreadableLayer(`${what}: the tar ends in the middle of an entry`);
  if (/Header exceeds max size|Invalid header/.test(err.message)) return new UnreadableLayer(`${what}: ${err.message}`);
  return err;
}
