import { Decompress } from 'fzstd';
import { ScanLimitExceeded, UnreadableLayer } from './limits.js';

/**
 * The largest window a zstd frame may ask for: zstd's own decoder refuses more than 128 MiB
 * (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27) without `--long`. fzstd allocates the window up front, so an
 * unchecked header could make it allocate 2 GiB.
 */
export const MAX_ZSTD_WINDOW = 128 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;

type State = 'magic' | 'skippable-size' | 'descriptor' | 'frame-header' | 'block-header';

/**
 * Follows the frame and block structure of a zstd stream (RFC 8878 §3.1) without decoding it, so that
 * every frame's window size is checked before fzstd sees the frame, and so that input can be handed to
 * fzstd one block at a time (a block decodes to at most 128 KiB, so memory stays bounded).
 */
export class ZstdFrameWalker {
  private state: State = 'magic';
  private want = 4;
  private collected: number[] = [];
  /** Bytes to pass over (a block's content, a skippable frame, a checksum), then `then`. */
  private skip = 0;
  private then: 'block-end' | 'frame-end' = 'frame-end';
  private lastBlock = false;
  private checksum = false;
  private singleSegment = false;
  private dictBytes = 0;
  private fcsFlag = 0;
  private blockEnded = false;

  constructor(private readonly maxWindow: number = MAX_ZSTD_WINDOW) {}

  /**
   * Walks `chunk` from `start` and returns the offset just past the next block's end, or
   * `chunk.length` when no block ends in it. Throws UnreadableLayer on a malformed or too greedy frame.
   */
  advance(chunk: Uint8Array, start: number): number {
    let at = start;
    this.blockEnded = false;
    while (at < chunk.length && !this.blockEnded) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        if (this.skip === 0) this.skipped();
        continue;
      }
      this.collected.push(chunk[at++]!);
      if (this.collected.length === this.want) {
        const bytes = Buffer.from(this.collected);
        this.collected = [];
        this.consume(bytes);
      }
    }
    return at;
  }

  /** Whether the stream may end here: between frames. */
  get atFrameBoundary(): boolean {
    return this.state === 'magic' && this.collected.length === 0 && this.skip === 0;
  }

  private expect(state: State, bytes: number): void {
    this.state = state;
    this.want = bytes;
  }

  private skipThen(bytes: number, then: 'block-end' | 'frame-end'): void {
    this.skip = bytes;
    this.then = then;
    if (bytes === 0) this.skipped();
  }

  private skipped(): void {
    if (this.then === 'frame-end') return this.expect('magic', 4);
    this.blockEnded = true;
    if (!this.lastBlock) this.expect('block-header', 3);
    else this.skipThen(this.checksum ? 4 : 0, 'frame-end');
  }

  private consume(bytes: Buffer): void {
    switch (this.state) {
      case 'magic':
        return this.onMagic(bytes.readUInt32LE(0));
      case 'skippable-size':
        return this.skipThen(bytes.readUInt32LE(0), 'frame-end');
      case 'descriptor':
        return this.onDescriptor(bytes[0]!);
      case 'frame-header':
        this.checkWindow(this.singleSegment ? contentSize(bytes.subarray(this.dictBytes), this.fcsFlag) : windowSize(bytes[0]!));
        return this.expect('block-header', 3);
      case 'block-header':
        return this.onBlockHeader(bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16));
    }
  }

  private onMagic(magic: number): void {
    if (magic === ZSTD_MAGIC) return this.expect('descriptor', 1);
    // Skippable frames: magic 0x184D2A50–5F, a 4-byte size, then that many bytes.
    if ((magic & 0xfffffff0) === 0x184d2a50) return this.expect('skippable-size', 4);
    throw new UnreadableLayer('zstd data is corrupt: bad frame magic number');
  }

  private onDescriptor(descriptor: number): void {
    if (descriptor & 0x08) throw new UnreadableLayer('zstd data is corrupt: reserved frame header bit set');
    this.singleSegment = (descriptor & 0x20) !== 0;
    this.fcsFlag = descriptor >> 6;
    this.dictBytes = [0, 1, 2, 4][descriptor & 0x03]!;
    this.checksum = (descriptor & 0x04) !== 0;
    const fcsBytes = this.fcsFlag === 0 ? (this.singleSegment ? 1 : 0) : [0, 2, 4, 8][this.fcsFlag]!;
    // A frame header always has a window descriptor or a content size, so this is never 0.
    this.expect('frame-header', (this.singleSegment ? 0 : 1) + this.dictBytes + fcsBytes);
  }

  private onBlockHeader(header: number): void {
    const type = (header >> 1) & 3;
    if (type === 3) throw new UnreadableLayer('zstd data is corrupt: reserved block type');
    this.lastBlock = (header & 1) === 1;
    // An RLE block stores its one byte; raw and compressed blocks store Block_Size bytes.
    this.skipThen(type === 1 ? 1 : header >>> 3, 'block-end');
  }

  private checkWindow(size: number): void {
    if (size > this.maxWindow) throw new ScanLimitExceeded(`zstd frame asks for a ${Math.round(size / 1048576)} MiB window; at most ${this.maxWindow / 1048576} MiB is allowed`);
  }
}

function windowSize(descriptor: number): number {
  const base = 2 ** (10 + (descriptor >> 3));
  return base + (base / 8) * (descriptor & 7);
}

function contentSize(field: Buffer, fcsFlag: number): number {
  switch (fcsFlag) {
    case 0:
      return field.readUInt8(0);
    case 1:
      return field.readUInt16LE(0) + 256;
    case 2:
      return field.readUInt32LE(0);
    default:
      return Number(field.readBigUInt64LE(0));
  }
}

/**
 * Decompresses a zstd stream with fzstd, a block at a time, yielding as it goes so a slow consumer
 * holds back the input (a Transform would have to buffer everything a chunk expands to).
 */
export async function* zstdDecompress(source: AsyncIterable<Uint8Array>, maxWindow = MAX_ZSTD_WINDOW): AsyncGenerator<Uint8Array> {
  const walker = new ZstdFrameWalker(maxWindow);
  let output: Uint8Array[] = [];
  const decoder = new Decompress((data) => {
    if (data.length > 0) output.push(data);
  });
  for await (const chunk of source) {
    let start = 0;
    while (start < chunk.length) {
      const end = walker.advance(chunk, start);
      pushDecoder(decoder, chunk.subarray(start, end), false);
      start = end;
      if (output.length > 0) {
        const ready = output;
        output = [];
        yield* ready;
      }
    }
  }
  if (!walker.atFrameBoundary) throw new UnreadableLayer('zstd data is truncated');
  pushDecoder(decoder, new Uint8Array(0), true);
  yield* output;
}

function pushDecoder(decoder: Decompress, chunk: Uint8Array, final: boolean): void {
  try {
    decoder.push(chunk, final);
  } catch (err) {
    throw new UnreadableLayer(`zstd data is corrupt: ${err instanceof Error ? err.message : String(err)}`);
  }
}
