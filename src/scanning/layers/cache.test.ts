import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inventoryOf, ScanLimitExceeded, type LayerCache, type LayerFacts } from './inventory-of.js';
import { fixtureImage, gzipLayer, TestLayer } from './test-suite-layers.js';

/** A cache that keeps facts as JSON text, as a database would. */
function jsonCache(): LayerCache & { stored: Map<string, string> } {
  const stored = new Map<string, string>();
  return {
    stored,
    get: async (digest) => {
      const text = stored.get(digest);
      return text === undefined ? undefined : (JSON.parse(text) as LayerFacts);
    },
    set: async (digest, facts) => {
      stored.set(digest, JSON.stringify(facts));
    },
  };
}

test('a base layer shared by two images is read once: the second inventory takes its facts from the cache', async () => {
  const [base, layer2, layer3] = await fixtureImage();
  const other = await gzipLayer([{ path: 'app/node_modules/express/package.json', body: JSON.stringify({ name: 'express', version: '4.18.2' }) }]);
  const cache = jsonCache();

  const first = await inventoryOf([base!, layer2!, layer3!], { cache });
  const second = await inventoryOf([base!, other], { cache });

  assert.equal(base!.opens, 1, 'the shared base layer is opened once for both images');
  assert.deepEqual([layer2!.opens, layer3!.opens, other.opens], [1, 1, 1]);
  assert.equal(first.packages.length, 18);
  assert.equal(second.packages.length, 13, '12 dpkg packages of status.base and express');
  assert.ok(second.packages.some((pkg) => pkg.name === 'express' && pkg.layerDigest === other.digest));
  assert.ok(second.packages.some((pkg) => pkg.name === 'libgcrypt20' && pkg.version === '1.10.1-3' && pkg.layerDigest === base!.digest));

  // The same image again reads nothing, and gives the same inventory.
  assert.deepEqual(await inventoryOf([base!, layer2!, layer3!], { cache }), first);
  assert.deepEqual([base!.opens, layer2!.opens, layer3!.opens], [1, 1, 1]);
});

test('cached facts are compact: parsed package lists, not the files', async () => {
  const cache = jsonCache();
  const layers = await fixtureImage();
  await inventoryOf(layers, { cache });
  const layer2 = JSON.parse(cache.stored.get(layers[1]!.digest)!) as LayerFacts;
  assert.deepEqual(
    layer2.files.map((file) => [file.path, file.kind]),
    [
      ['var/lib/dpkg/status', 'dpkg-status'],
      ['var/lib/dpkg/info/python3-jwt.list', 'dpkg-files'],
      ['usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO', 'python'],
      ['app/node_modules/lodash/package.json', 'npm'],
    ],
  );
  const status = layer2.files[0]!;
  assert.ok(status.kind === 'dpkg-status' && status.packages.length === 16);
  assert.deepEqual(layer2.files[1], { path: 'var/lib/dpkg/info/python3-jwt.list', kind: 'dpkg-files', owns: ['usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info'] });
  assert.ok(cache.stored.get(layers[1]!.digest)!.length < 2500, 'a 13 KB status file becomes a short package list');
  const layer3 = JSON.parse(cache.stored.get(layers[2]!.digest)!) as LayerFacts;
  assert.deepEqual(layer3.whiteouts, ['app/node_modules/lodash']);
});

test('facts cached in another format are read again and replaced', async () => {
  const layer = await gzipLayer([{ path: 'etc/os-release', body: 'ID=alpine\nVERSION_ID=3.19.1\n' }]);
  const cache = jsonCache();
  cache.stored.set(layer.digest, JSON.stringify({ format: 0, files: [] }));
  const inventory = await inventoryOf([layer], { cache });
  assert.equal(inventory.os?.id, 'alpine');
  assert.equal(layer.opens, 1);
  assert.equal((JSON.parse(cache.stored.get(layer.digest)!) as LayerFacts).format, 1);
});

test('a layer that fails (a limit passed) is not cached', async () => {
  const cache = jsonCache();
  const layer = new TestLayer((await gzipLayer(Array.from({ length: 20 }, (_, i) => ({ path: `f${i}`, body: '' })))).bytes);
  await assert.rejects(inventoryOf([layer], { cache, limits: { maxEntries: 10 } }), ScanLimitExceeded);
  assert.equal(cache.stored.size, 0);
});
