import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { HashThread } from './hash-thread.js';
import type { RunningHash } from './running-hash.js';

const MiB = 1024 * 1024;
const thread = new HashThread();
after(() => thread.close());

/** Feeds `bytes` in parts of uneven sizes, waiting whenever the hash asks to. */
async function feed(hash: RunningHash, bytes: Buffer, partBytes: number): Promise<void> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const part = bytes.subarray(at, at + partBytes + (i % 7) * 1013);
    at += part.length;
    const behind = hash.update(part);
    if (behind) await behind;
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('the thread computes the SHA-256 of the bytes fed to it, whatever the sizes of the parts and the whole', async () => {
  for (const size of [0, 1, MiB - 1, MiB, MiB + 1, 2 * MiB - 1, 2 * MiB, 2 * MiB + 1, 9 * MiB + 12345]) {
    const bytes = randomBytes(size);
    const hash = thread.start()!;
    await feed(hash, bytes, 65536);
    assert.equal(await hash.digest(), sha256(bytes), `${size} bytes`);
  }
});

test('more hashes at once than the thread has buffers each get their own digest; a dropped one disturbs none', async () => {
  const blobs = Array.from({ length: 10 }, (_, i) => randomBytes(3 * MiB + i * 777));
  const dropped = thread.start()!;
  await feed(dropped, randomBytes(5 * MiB), 100_000);
  const digests = await Promise.all(
    blobs.map(async (bytes, i) => {
      const hash = thread.start()!;
      if (i === 3) dropped.dispose();
      await feed(hash, bytes, 30_000 + i * 5000);
      return hash.digest();
    }),
  );
  assert.deepEqual(digests, blobs.map(sha256));
});

test('when the thread stops, a hash on it rejects and no new hash is started there', async () => {
  const own = new HashThread();
  const hash = own.start()!;
  await feed(hash, randomBytes(3 * MiB), 65536);
  await own.close();
  await assert.rejects(hash.digest(), /hash thread stopped/);
  assert.equal(own.start(), undefined);
});

test('an idle thread stops after a while, and the next hash starts another; a hash in progress keeps it', async () => {
  const idle = new HashThread(50);
  after(() => idle.close());
  const first = idle.start()!;
  await feed(first, randomBytes(2 * MiB), 65536);
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(idle.running, true, 'a hash not finished yet keeps the thread');
  const bytes = randomBytes(2 * MiB + 5);
  await feed(first, bytes, 65536);
  await first.digest();
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(idle.running, false, 'stopped once idle');
  const second = idle.start()!;
  assert.equal(idle.running, true);
  await feed(second, bytes, 65536);
  assert.equal(await second.digest(), sha256(bytes), 'a new thread hashes as the first did');
});
