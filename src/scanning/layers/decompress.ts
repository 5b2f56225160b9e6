import type { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { formatBytes, ScanLimitExceeded, UnreadableLayer, UnsupportedLayer } from './limits.js';
import { zstdDecompress } from './zstd.js';

/**
 * Layer media types that are tars (OCI image spec, layer.md; Docker image manifest v2.2), compressed
 * or not. Anything else (an artifact's blob, an encrypted layer) is not scanned.
 */
const TAR_LAYER = /^application\/vnd\.(?:oci\.image\.layer(?:\.nondistributable)?\.v1\.tar|docker\.image\.rootfs(?:\.foreign)?\.diff\.tar)(?:[+.](?:gzip|zstd))?$/;

export function isTarLayerMediaType(mediaType: string): boolean {
  return TAR_LAYER.test(mediaType);
}

export type Compression = 'gzip' | 'zstd' | 'none';

/**
 * The compression of a blob from its first bytes: media types lie (a `…tar` that is gzipped, a
 * `…tar+gzip` pushed uncompressed), magic numbers do not. gzip: 1f 8b (RFC 1952); zstd: 28 b5 2f fd or a
 * skippable frame (RFC 8878). xz and bzip2 are recognised only to be refused.
 */
export function compressionOf(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if ((head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58) throw new UnsupportedLayer('the layer is xz-compressed; layers are gzip, zstd or uncompressed tars');
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) throw new UnsupportedLayer('the layer is bzip2-compressed; layers are gzip, zstd or uncompressed tars');
  return 'none';
}

/** The first `count` bytes of a stream (fewer if it is shorter), and the whole stream again from its start. */
export async function peek(stream: Readable, count: number): Promise<{ head: Buffer; all: AsyncIterable<Uint8Array> }> {
  const iterator: AsyncIterator<Uint8Array> = stream[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < count) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    chunks.push(Buffer.from(next.value));
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      if (head.length > 0) yield head;
      while (!ended) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { head: head.subarray(0, count), all: all() };
}

export type Stage = Transform | ((source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>);

/** The pipeline stage that undoes `compression`, or none for a plain tar. */
export function decompressStage(compression: Compression): Stage | undefined {
  if (compression === 'gzip') return createGunzip();
  if (compression === 'zstd') return (source) => zstdDecompress(source);
  return undefined;
}

/** Passes bytes through, failing with ScanLimitExceeded once more than `max` have gone by. */
export function limitBytes(max: number, what: string): (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array> {
  return async function* (source) {
    let total = 0;
    for await (const chunk of source) {
      total += chunk.length;
      if (total > max) throw new ScanLimitExceeded(`${what} decompresses to more than ${formatBytes(max)} (maxLayerBytes)`);
      yield chunk;
    }
  };
}

/** zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR for a truncated stream) as UnreadableLayer; others unchanged. */
export function asDecompressionError(err: unknown, what: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) return new UnreadableLayer(`${what}: gzip data is corrupt (${(err as Error).message})`);
  return err;
}
