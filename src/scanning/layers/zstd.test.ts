import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { inventoryOf, ScanLimitExceeded } from './inventory-of.js';
import { UnreadableLayer } from './limits.js';
import { MEDIA, NO_ZSTD_COMMAND, peakRssGrowth, streamedLayer, ustarHeader, zstd } from './test-suite-layers.js';
import { zstdDecompress } from './zstd.js';

const MiB = 1024 * 1024;

async function collect(chunks: Iterable<Uint8Array>): Promise<{ bytes: Buffer; largest: number }> {
  const parts: Buffer[] = [];
  let largest = 0;
  for await (const chunk of zstdDecompress((async function* () { yield* chunks; })())) {
    parts.push(Buffer.from(chunk));
    largest = Math.max(largest, chunk.length);
  }
  return { bytes: Buffer.concat(parts), largest };
}

/** A zstd frame header: magic, a descriptor without single-segment, checksum or dictionary, and a window descriptor. */
function frameHeader(windowLog: number): Buffer {
  return Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (windowLog - 10) << 3]);
}

/** A block header: Last_Block, Block_Type (0 raw, 1 RLE), Block_Size. */
function blockHeader(last: boolean, type: number, size: number): Buffer {
  const value = (last ? 1 : 0) | (type << 1) | (size << 3);
  return Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
}

test('zstd streams from the zstd command decompress exactly: several frames, a skippable frame, any chunking', { skip: NO_ZSTD_COMMAND }, async () => {
  const a = Buffer.concat([randomBytes(100 * 1024), Buffer.alloc(400 * 1024, 1)]);
  const b = Buffer.from('second frame '.repeat(5000));
  const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('skip!')]);
  const stream = Buffer.concat([zstd(a), skippable, zstd(b, ['-19'])]);
  const expected = Buffer.concat([a, b]);
  for (const size of [1, 7, 4096, stream.length]) {
    const pieces: Buffer[] = [];
    for (let at = 0; at < stream.length; at += size) pieces.push(stream.subarray(at, at + size));
    const { bytes, largest } = await collect(pieces);
    assert.ok(bytes.equals(expected), `chunks of ${size}`);
    assert.ok(largest <= 128 * 1024, 'output comes a block (at most 128 KiB) at a time');
  }
});

test('a zstd frame asking for a window over 128 MiB is refused before anything is allocated', { skip: NO_ZSTD_COMMAND }, async () => {
  await assert.rejects(collect([Buffer.concat([frameHeader(31), blockHeader(true, 0, 0)])]), (err: unknown) => err instanceof ScanLimitExceeded && /2048 MiB window/.test(err.message));
  const long = zstd(Buffer.from('x'.repeat(1000)), ['--long=28']);
  await assert.rejects(collect([long]), ScanLimitExceeded, 'zstd --long=28 (256 MiB window)');
});

test('malformed zstd is UnreadableLayer: a reserved block type, a truncated frame', async () => {
  await assert.rejects(collect([Buffer.concat([frameHeader(17), blockHeader(true, 3, 4)])]), UnreadableLayer);
  await assert.rejects(collect([frameHeader(17)]), (err: unknown) => err instanceof UnreadableLayer && /truncated/.test(err.message));
});

test('a zstd bomb (RLE blocks: 4 bytes each, 128 KiB of zeros each) fails at maxLayerBytes with flat memory', async () => {
  const rle = Buffer.concat(Array.from({ length: 4096 }, () => Buffer.concat([blockHeader(false, 1, 128 * 1024), Buffer.from([0])])));
  const header = ustarHeader('bomb.bin', 8 * 1024 ** 3 - 1);
  const layer = streamedLayer('sha256:zstd-bomb', MEDIA.zstd, function* () {
    yield Buffer.concat([frameHeader(17), blockHeader(false, 0, header.length), header]);
    for (let i = 0; i < 64; i++) yield rle; // 32 GiB if it were all decompressed
  });
  const { error, growth } = await peakRssGrowth(() => inventoryOf([layer], { limits: { maxLayerBytes: 256 * MiB } }));
  assert.ok(error instanceof ScanLimitExceeded, String(error));
  assert.match(error.message, /more than 256 MiB/);
  assert.ok(growth < 96 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`);
});
