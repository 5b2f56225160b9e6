import { closeSync, openSync, writeSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

/** What a test wants of a zip entry. */
export interface ZipEntryOptions {
  /** Stored as is rather than deflated. */
  readonly store?: boolean;
  /** The uncompressed size the headers state, when a test wants them to lie (the real one by default). */
  readonly declaredSize?: number;
}

const UTF8_NAMES = 0x0800;
const DOS_DATE_1980_01_01 = 0x21;
const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;

/**
 * A minimal zip writer for tests and benchmarks (PKWARE APPNOTE 6.3): entries deflated or stored,
 * written to `file` as they are added; the central directory is written by close(). More than
 * 65,535 entries get the zip64 end records (section 4.3.14), as OSV's combined all.zip has; archives
 * past 4 GiB are not supported.
 */
export class ZipWriter {
  private readonly fd: number;
  private offset = 0;
  private readonly central: Buffer[] = [];
  private centralSize = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  get entries(): number {
    return this.central.length;
  }

  add(name: string, content: Buffer | string, options: ZipEntryOptions = {}): void {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    const body = options.store ? data : deflateRawSync(data);
    const nameBytes = Buffer.from(name, 'utf8');
    if (this.offset + 30 + nameBytes.length + body.length > MAX_32) throw new Error('ZipWriter: archives past 4 GiB are not supported');
    const fields = { method: options.store ? 0 : 8, crc: crc32(data), compressed: body.length, size: options.declaredSize ?? data.length, nameLength: nameBytes.length };

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    writeCommon(local, 6, fields);
    this.write(local, nameBytes, body);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    writeCommon(entry, 8, fields);
    // extra field, comment, disk number, internal and external attributes: all zero
    entry.writeUInt32LE(this.offset - 30 - nameBytes.length - body.length, 42);
    const record = Buffer.concat([entry, nameBytes]);
    this.central.push(record);
    this.centralSize += record.length;
  }

  close(): void {
    const centralOffset = this.offset;
    for (const record of this.central) this.write(record);
    const count = this.central.length;
    const zip64 = count >= MAX_16 || centralOffset >= MAX_32 || this.centralSize >= MAX_32;
    if (zip64) {
      const recordOffset = this.offset;
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(this.centralSize), 40);
      record.writeBigUInt64LE(BigInt(centralOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(recordOffset), 8);
      locator.writeUInt32LE(1, 16);
      this.write(record, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, MAX_16), 8);
    end.writeUInt16LE(Math.min(count, MAX_16), 10);
    end.writeUInt32LE(Math.min(this.centralSize, MAX_32), 12);
    end.writeUInt32LE(zip64 ? MAX_32 : centralOffset, 16);
    this.write(end);
    closeSync(this.fd);
  }

  private write(...buffers: Buffer[]): void {
    for (const buffer of buffers) {
      writeSync(this.fd, buffer);
      this.offset += buffer.length;
    }
  }
}

/** Writes the fields local and central headers share (flags … name length), from `at`. */
function writeCommon(header: Buffer, at: number, f: { method: number; crc: number; compressed: number; size: number; nameLength: number }): void {
  header.writeUInt16LE(UTF8_NAMES, at);
  header.writeUInt16LE(f.method, at + 2);
  header.writeUInt16LE(0, at + 4);
  header.writeUInt16LE(DOS_DATE_1980_01_01, at + 6);
  header.writeUInt32LE(f.crc, at + 8);
  header.writeUInt32LE(f.compressed, at + 12);
  header.writeUInt32LE(f.size, at + 16);
  header.writeUInt16LE(f.nameLength, at + 20);
}

/** Writes a zip of `entries` (name → content) at `file`. */
export function writeZip(file: string, entries: Iterable<readonly [string, Buffer | string]>): void {
  const zip = new ZipWriter(file);
  for (const [name, content] of entries) zip.add(name, content);
  zip.close();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO 3309, as zip uses). */
export function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
