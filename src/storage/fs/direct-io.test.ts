import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { pipeSlowly } from '../../../test/helpers/slow-sink.js';
import { AlignedBuffers, type BufferPool, type DirectIo } from './direct-io.js';
import { FileRangeStream } from './file-range-stream.js';
import { PIECE_BYTES, writeStreaming } from './streaming-writer.js';

// The fs driver's O_DIRECT paths, on their own: what arrives must be byte for byte what was sent,
// whatever the offsets, and every aligned buffer must go back to its pool.

const root = await mkdtemp(path.join(tmpdir(), 'berth-direct-'));
after(() => rm(root, { recursive: true, force: true }));
let files = 0;

/** A pool that counts what is out, over real aligned buffers or deliberately misaligned ones. */
function countingPool(count: number, aligned = true): BufferPool & { out: number; taken: number } {
  const real = new AlignedBuffers(count, PIECE_BYTES);
  const misaligned: Buffer[] = Array.from({ length: count }, () => Buffer.allocUnsafeSlow(PIECE_BYTES + 1).subarray(1));
  const pool = {
    out: 0,
    taken: 0,
    take() {
      const b = aligned ? real.take() : misaligned.pop();
      if (b) (pool.out++, pool.taken++);
      return b;
    },
    give(b: Buffer) {
      pool.out--;
      if (aligned) real.give(b);
      else misaligned.push(b);
    },
  };
  return pool;
}

function direct(file: string, mode: 'r' | 'w', buffers: BufferPool): DirectIo & { refused: number; opened: number } {
  const d = {
    buffers,
    refused: 0,
    opened: 0,
    refuse: () => void d.refused++,
    open: () => {
      d.opened++;
      return fs.openSync(file, (mode === 'r' ? fs.constants.O_RDONLY : fs.constants.O_WRONLY) | fs.constants.O_DIRECT);
    },
  };
  return d;
}

async function* inChunks(bytes: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** A new file holding `bytes` (none by default). */
function newFile(bytes: Buffer = Buffer.alloc(0)): string {
  const file = path.join(root, `f${files++}`);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Appends `bytes` to `file` in the given slices, as PATCHes do, each in odd-sized network chunks. */
async function appendInSlices(file: string, bytes: Buffer, slices: number[], pool: BufferPool): Promise<ReturnType<typeof direct>> {
  const d = direct(file, 'w', pool);
  let at = 0;
  for (const size of [...slices, bytes.length - slices.reduce((a, b) => a + b, 0)]) {
    const fd = fs.openSync(file, 'r+');
    try {
      assert.equal(await writeStreaming(fd, at, inChunks(bytes.subarray(at, at + size), 65_519), new AbortController().signal, d), size);
    } finally {
      fs.closeSync(fd);
    }
    at += size;
  }
  return d;
}

test('direct writes: appends at unaligned offsets (head and tail through the cache, whole pieces direct) leave the file byte for byte', async () => {
  const file = newFile();
  const bytes = randomBytes(5 * PIECE_BYTES + 4321);
  const pool = countingPool(2);
  const d = await appendInSlices(file, bytes, [PIECE_BYTES + 777, 2 * PIECE_BYTES - 777 + 5], pool);
  assert.ok(fs.readFileSync(file).equals(bytes));
  assert.ok(pool.taken >= 2, 'whole pieces were written with O_DIRECT');
  assert.equal(pool.out, 0, 'every aligned buffer went back');
  assert.equal(d.refused, 0);
});

test('direct writes: with one aligned buffer free, pieces alternate between O_DIRECT and the cache, intact', async () => {
  const file = newFile();
  const bytes = randomBytes(6 * PIECE_BYTES + 3);
  const pool = countingPool(1);
  await appendInSlices(file, bytes, [], pool);
  assert.ok(fs.readFileSync(file).equals(bytes));
  assert.equal(pool.taken, 1);
  assert.equal(pool.out, 0);
});

test('direct writes: with no aligned buffer free every piece goes through the cache, intact', async () => {
  const file = newFile();
  const bytes = randomBytes(3 * PIECE_BYTES + 10);
  const pool = countingPool(0);
  const d = await appendInSlices(file, bytes, [], pool);
  assert.ok(fs.readFileSync(file).equals(bytes));
  assert.equal(d.opened, 0, 'no O_DIRECT descriptor without a buffer');
});

test('direct writes: a filesystem that refuses the alignment (EINVAL) is told once, and the bytes still land', async () => {
  const file = newFile();
  const bytes = randomBytes(4 * PIECE_BYTES + 99);
  const pool = countingPool(2, false);
  const d = await appendInSlices(file, bytes, [], pool);
  assert.ok(fs.readFileSync(file).equals(bytes));
  assert.equal(d.refused, 1);
  assert.equal(pool.out, 0);
});

test('direct reads: a piped range with unaligned ends arrives whole, and the buffers go back', async () => {
  const bytes = randomBytes(6 * PIECE_BYTES + 1234);
  const file = newFile(bytes);
  const pool = countingPool(3);
  const d = direct(file, 'r', pool);
  const [start, end] = [PIECE_BYTES / 2 + 3, 5 * PIECE_BYTES + 17];
  const got = await pipeSlowly(new FileRangeStream(fs.openSync(file, 'r'), start, end, d));
  assert.ok(got.equals(bytes.subarray(start, end + 1)));
  assert.equal(d.opened, 1, 'read with O_DIRECT');
  assert.equal(pool.taken, 3);
  assert.equal(pool.out, 0);
});

test('direct reads: to the end of a file that ends off a block boundary', async () => {
  const bytes = randomBytes(2 * PIECE_BYTES + 511);
  const file = newFile(bytes);
  const pool = countingPool(3);
  const got = await pipeSlowly(new FileRangeStream(fs.openSync(file, 'r'), 1, bytes.length - 1, direct(file, 'r', pool)));
  assert.ok(got.equals(bytes.subarray(1)));
  assert.equal(pool.out, 0);
});

test('direct reads: refused alignment falls back to the cache at once, and the range still arrives whole', async () => {
  const bytes = randomBytes(3 * PIECE_BYTES + 5);
  const file = newFile(bytes);
  const pool = countingPool(3, false);
  const d = direct(file, 'r', pool);
  const got = await pipeSlowly(new FileRangeStream(fs.openSync(file, 'r'), 0, bytes.length - 1, d));
  assert.ok(got.equals(bytes));
  assert.equal(d.refused, 1);
  assert.equal(pool.out, 0);
});

test('direct reads: a destination that fails midway stops the read, and the buffers still go back', async () => {
  const file = newFile(randomBytes(8 * PIECE_BYTES));
  const pool = countingPool(3);
  let writes = 0;
  const failing = new Writable({
    write(_chunk, _encoding, callback) {
      writes++;
      setTimeout(() => callback(writes === 2 ? new Error('client went away') : null), 1);
    },
  });
  const source = new FileRangeStream(fs.openSync(file, 'r'), 0, 8 * PIECE_BYTES - 1, direct(file, 'r', pool));
  await assert.rejects(pipeline(source, failing), /client went away/);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(writes < 8, 'it stopped reading');
  assert.equal(pool.out, 0, 'no aligned buffer is kept');
});

test('direct reads: a range shorter than a piece, or with too few buffers free, reads through the cache', async () => {
  const bytes = randomBytes(3 * PIECE_BYTES);
  const file = newFile(bytes);
  const short = direct(file, 'r', countingPool(3));
  assert.ok((await pipeSlowly(new FileRangeStream(fs.openSync(file, 'r'), 10, 1000, short))).equals(bytes.subarray(10, 1001)));
  const scarce = countingPool(2);
  const few = direct(file, 'r', scarce);
  assert.ok((await pipeSlowly(new FileRangeStream(fs.openSync(file, 'r'), 0, bytes.length - 1, few))).equals(bytes));
  assert.equal(short.opened + few.opened, 0);
  assert.equal(scarce.out, 0, 'the two it could take went back');
});

test('direct reads: a file cut short under the read fails it, and the buffers still go back', async () => {
  const file = newFile(randomBytes(4 * PIECE_BYTES));
  const pool = countingPool(3);
  const source = new FileRangeStream(fs.openSync(file, 'r'), 0, 4 * PIECE_BYTES - 1, direct(file, 'r', pool));
  fs.truncateSync(file, PIECE_BYTES);
  await assert.rejects(pipeSlowly(source), /the file ends at byte 1048576, before the range does/);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(pool.out, 0);
});

test('direct I/O: when opening the file with O_DIRECT fails, the bytes still move, and no aligned buffer is kept', async () => {
  const bytes = randomBytes(3 * PIECE_BYTES + 7);
  const file = newFile(bytes);
  const pool = countingPool(3);
  const failing = { buffers: pool, refuse: () => {}, open: (): number => { throw new Error('EMFILE: too many open files'); } };
  assert.ok((await pipeSlowly(new FileRangeStream(fs.openSync(file, 'r'), 0, bytes.length - 1, failing))).equals(bytes), 'read through the cache');
  assert.equal(pool.out, 0);
  const target = newFile();
  const fd = fs.openSync(target, 'r+');
  try {
    await assert.rejects(writeStreaming(fd, 0, inChunks(bytes, 65_536), new AbortController().signal, failing), /EMFILE/);
  } finally {
    fs.closeSync(fd);
  }
  assert.equal(pool.out, 0, 'the failed write kept no buffer');
});
