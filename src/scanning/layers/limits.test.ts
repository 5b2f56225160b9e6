import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { inventoryOf, ScanLimitExceeded } from './inventory-of.js';
import { gzipLayer, MEDIA, peakRssGrowth, streamedLayer, ustarHeader } from './test-suite-layers.js';

const MiB = 1024 * 1024;

test('a gzip bomb (4 MiB of gzip, 4 GiB of zeros) fails with ScanLimitExceeded quickly and without memory growth', async () => {
  // One file claiming 8 GiB, then 64 gzip members of 64 MiB of zeros each (gunzip reads concatenated members).
  const zeros = gzipSync(Buffer.alloc(64 * MiB), { level: 1 });
  const first = gzipSync(Buffer.concat([ustarHeader('bomb.bin', 8 * 1024 ** 3 - 1), Buffer.alloc(MiB)]));
  const layer = streamedLayer('sha256:gzip-bomb', MEDIA.gzip, function* () {
    yield first;
    for (let i = 0; i < 64; i++) yield zeros;
  });
  const started = Date.now();
  const { error, growth } = await peakRssGrowth(() => inventoryOf([layer], { limits: { maxLayerBytes: 512 * MiB } }));
  assert.ok(error instanceof ScanLimitExceeded, String(error));
  assert.match(error.message, /layer sha256:gzip-bomb decompresses to more than 512 MiB \(maxLayerBytes\)/);
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  assert.ok(growth < 96 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`);
});

test('an entry-count bomb (a stream of empty entries) fails with ScanLimitExceeded at maxEntries', async () => {
  const blocks = Buffer.concat(Array.from({ length: 1000 }, (_, i) => ustarHeader(`f/${i}`, 0)));
  const layer = streamedLayer('sha256:entry-bomb', MEDIA.tar, function* () {
    for (let i = 0; i < 1000; i++) yield blocks; // a million entries, never all in memory
  });
  const started = Date.now();
  const { error, growth } = await peakRssGrowth(() => inventoryOf([layer], { limits: { maxEntries: 50_000 } }));
  assert.ok(error instanceof ScanLimitExceeded, String(error));
  assert.match(error.message, /layer sha256:entry-bomb has more than 50000 entries \(maxEntries\)/);
  assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  assert.ok(growth < 96 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`);
});

test('a metadata file larger than maxFileBytes fails before it is read, even when its header lies about what follows', async () => {
  // The header claims a 4 GiB dpkg status; no body follows at all.
  const layer = streamedLayer('sha256:huge-status', MEDIA.tar, function* () {
    yield ustarHeader('var/lib/dpkg/status', 4 * 1024 ** 3);
  });
  await assert.rejects(inventoryOf([layer], { limits: { maxFileBytes: 16 * MiB } }), (err: unknown) => {
    assert.ok(err instanceof ScanLimitExceeded);
    assert.match(err.message, /var\/lib\/dpkg\/status is larger than 16 MiB \(maxFileBytes\)/);
    return true;
  });
});

test('a big file no detector reads is streamed past, whatever maxFileBytes is', async () => {
  const layer = await gzipLayer([{ path: 'usr/lib/big.so', body: Buffer.alloc(4 * MiB) }, { path: 'etc/os-release', body: 'ID=alpine\n' }]);
  const inventory = await inventoryOf([layer], { limits: { maxFileBytes: 1024 } });
  assert.equal(inventory.os?.id, 'alpine');
});

test('the limits are checked: a relevant file just under maxFileBytes is read, one byte more fails', async () => {
  const body = `ID=alpine\n${'#'.repeat(990)}`;
  const layer = await gzipLayer([{ path: 'etc/os-release', body }]);
  assert.equal((await inventoryOf([layer], { limits: { maxFileBytes: body.length } })).os?.id, 'alpine');
  await assert.rejects(inventoryOf([layer], { limits: { maxFileBytes: body.length - 1 } }), ScanLimitExceeded);
  await assert.rejects(inventoryOf([layer], { limits: { maxLayerBytes: 1024 } }), ScanLimitExceeded);
  await assert.rejects(inventoryOf([layer], { limits: { maxEntries: 0 } }), RangeError, 'a limit must be positive');
});
