/**
 * The rpm header format as rpmdb stores it (one blob per package): a big-endian `il` (index entry
 * count) and `dl` (data length), `il` 16-byte entries (tag, type, offset into the data, count), then
 * `dl` bytes of data. Only the tags an inventory needs are decoded; region tags (HEADERIMMUTABLE…)
 * are skipped since the tags they cover are in the same index. See rpm's doc/manual/format.md and tags.md.
 */
export interface RpmHeader {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly epoch?: number;
  readonly arch?: string;
  /** `openssl-3.0.7-24.el9.src.rpm`; absent for gpg-pubkey pseudo-packages. */
  readonly sourceRpm?: string;
  /** Every path the package installs, with its leading slash as rpm records it. */
  readonly files: readonly string[];
}

export class MalformedRpmHeader extends Error {
  override readonly name = 'MalformedRpmHeader';
}

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;

export const RPM_TYPE = { INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

const WANTED = new Set<number>(Object.values(RPMTAG));
const MAX_INDEX_ENTRIES = 0xffff;

interface IndexEntry {
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (bytes.length < 8) throw new MalformedRpmHeader('rpm header shorter than its preamble');
  const il = bytes.readUInt32BE(0);
  const dl = bytes.readUInt32BE(4);
  const dataStart = 8 + il * 16;
  if (il === 0 || il > MAX_INDEX_ENTRIES || dataStart + dl > bytes.length) throw new MalformedRpmHeader(`rpm header sizes do not fit its ${bytes.length} bytes (il ${il}, dl ${dl})`);
  const data = bytes.subarray(dataStart, dataStart + dl);
  const entries = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = bytes.readInt32BE(at);
    if (WANTED.has(tag)) entries.set(tag, { type: bytes.readUInt32BE(at + 4), offset: bytes.readInt32BE(at + 8), count: bytes.readUInt32BE(at + 12) });
  }
  const text = (tag: number): string | undefined => {
    const entry = entries.get(tag);
    return entry ? readStrings(data, entry, tag)[0] : undefined;
  };
  const name = text(RPMTAG.NAME);
  const version = text(RPMTAG.VERSION);
  const release = text(RPMTAG.RELEASE);
  if (!name || version === undefined || release === undefined) throw new MalformedRpmHeader('rpm header without NAME, VERSION and RELEASE');
  const epochEntry = entries.get(RPMTAG.EPOCH);
  const epoch = epochEntry ? readInt32s(data, epochEntry, RPMTAG.EPOCH)[0] : undefined;
  const arch = text(RPMTAG.ARCH);
  const sourceRpm = text(RPMTAG.SOURCERPM);
  return {
    name,
    version,
    release,
    ...(epoch !== undefined ? { epoch } : {}),
    ...(arch ? { arch } : {}),
    ...(sourceRpm ? { sourceRpm } : {}),
    files: filesOf(data, entries),
  };
}

/** BASENAMES[i] joined to DIRNAMES[DIRINDEXES[i]]; OLDFILENAMES in headers older than rpm 4.x's compressed lists. */
function filesOf(data: Buffer, entries: Map<number, IndexEntry>): string[] {
  const basenames = entries.get(RPMTAG.BASENAMES);
  const dirnames = entries.get(RPMTAG.DIRNAMES);
  const dirindexes = entries.get(RPMTAG.DIRINDEXES);
  if (basenames && dirnames && dirindexes) {
    const bases = readStrings(data, basenames, RPMTAG.BASENAMES);
    const dirs = readStrings(data, dirnames, RPMTAG.DIRNAMES);
    const indexes = readInt32s(data, dirindexes, RPMTAG.DIRINDEXES);
    if (indexes.length !== bases.length) throw new MalformedRpmHeader('rpm header BASENAMES and DIRINDEXES differ in length');
    return bases.map((base, i) => {
      const dir = dirs[indexes[i]!];
      if (dir === undefined) throw new MalformedRpmHeader('rpm header DIRINDEXES points past DIRNAMES');
      return dir + base;
    });
  }
  const old = entries.get(RPMTAG.OLDFILENAMES);
  return old ? readStrings(data, old, RPMTAG.OLDFILENAMES) : [];
}

function readStrings(data: Buffer, entry: IndexEntry, tag: number): string[] {
  if (entry.type !== RPM_TYPE.STRING && entry.type !== RPM_TYPE.STRING_ARRAY && entry.type !== RPM_TYPE.I18NSTRING) {
    throw new MalformedRpmHeader(`rpm tag ${tag} has type ${entry.type}, not a string`);
  }
  const count = entry.type === RPM_TYPE.STRING ? 1 : entry.count;
  if (entry.offset < 0 || count > data.length) throw new MalformedRpmHeader(`rpm tag ${tag} lies outside the data`);
  const strings: string[] = [];
  let at = entry.offset;
  for (let i = 0; i < count; i++) {
    const end = data.indexOf(0, at);
    if (end < 0) throw new MalformedRpmHeader(`rpm tag ${tag} has an unterminated string`);
    strings.push(data.toString('utf8', at, end));
    at = end + 1;
  }
  return strings;
}

function readInt32s(data: Buffer, entry: IndexEntry, tag: number): number[] {
  if (entry.type !== RPM_TYPE.INT32) throw new MalformedRpmHeader(`rpm tag ${tag} has type ${entry.type}, not int32`);
  if (entry.offset < 0 || entry.offset + entry.count * 4 > data.length) throw new MalformedRpmHeader(`rpm tag ${tag} lies outside the data`);
  return Array.from({ length: entry.count }, (_, i) => data.readInt32BE(entry.offset + i * 4));
}
