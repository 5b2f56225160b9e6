import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstalledPackage } from '../inventory.js';
import { inventoryOf } from './inventory-of.js';
import { FIXTURE_ZSTD_LAYER, fixtureImage, fixtureTars } from './test-suite-layers.js';

// [name, version, sourceName, sourceVersion, layer index] of the 16 dpkg packages of status.layer2.
const DPKG: [string, string, string, string | undefined, number][] = [
  ['base-files', '12.4+deb12u11', 'base-files', undefined, 0],
  ['jq', '1.6-2.1+deb12u1', 'jq', undefined, 1],
  ['libbrotli1', '1.0.9-2+b6', 'brotli', '1.0.9-2', 0],
  ['libcap2', '1:2.66-4+deb12u2+b2', 'libcap2', '1:2.66-4+deb12u2', 0],
  // Upgraded by layer 2: the upgraded version is layer 2's.
  ['libgcrypt20', '1.10.1-3+deb12u1', 'libgcrypt20', undefined, 1],
  ['libjq1', '1.6-2.1+deb12u1', 'jq', undefined, 1],
  ['liblzma5', '5.4.1-1', 'xz-utils', undefined, 0],
  ['libnss3', '2:3.87.1-1+deb12u2', 'nss', undefined, 0],
  ['libonig5', '6.9.8-1', 'libonig', undefined, 1],
  ['libpam-modules', '1.5.2-6+deb12u1', 'pam', undefined, 0],
  ['libpam-modules-bin', '1.5.2-6+deb12u1', 'pam', undefined, 0],
  ['libpam-runtime', '1.5.2-6+deb12u1', 'pam', undefined, 0],
  ['libpam0g', '1.5.2-6+deb12u1', 'pam', undefined, 0],
  ['librsvg2-2', '2.54.7+dfsg-1~deb12u1', 'librsvg', undefined, 0],
  ['libssh2-1', '1.10.0-3+b1', 'libssh2', '1.10.0-3', 0],
  ['python3-jwt', '2.6.0-1', 'pyjwt', undefined, 1],
];

test('the scan fixture image: Debian 12, 16 dpkg packages, semver and requests from layer 3, no lodash, demo-app or PyJWT', async () => {
  const layers = await fixtureImage();
  const digests = layers.map((layer) => layer.digest);
  const inventory = await inventoryOf(layers, {});

  assert.deepEqual(inventory.os, { id: 'debian', versionId: '12', versionCodename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
  const expected: InstalledPackage[] = [
    ...DPKG.map(([name, version, sourceName, sourceVersion, layer]): InstalledPackage => ({
      type: 'dpkg',
      name,
      version,
      sourceName,
      ...(sourceVersion ? { sourceVersion } : {}),
      layerDigest: digests[layer]!,
      path: 'var/lib/dpkg/status',
    })),
    { type: 'npm', name: 'semver', version: '7.5.1', layerDigest: digests[2]!, path: 'app/node_modules/semver/package.json' },
    { type: 'python', name: 'requests', version: '2.28.1', layerDigest: digests[2]!, path: 'usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA' },
  ];
  assert.deepEqual(inventory.packages, expected);
  const names = inventory.packages.map((pkg) => pkg.name);
  for (const absent of ['lodash', 'demo-app', 'PyJWT']) assert.ok(!names.includes(absent), `${absent} must not be reported`);
  assert.deepEqual(layers.map((layer) => layer.opens), [1, 1, 1], 'each layer is streamed once');
});

test('the fixture inventory is JSON-serialisable as it is (the scan stores it)', async () => {
  const inventory = await inventoryOf(await fixtureImage(), {});
  assert.deepEqual(JSON.parse(JSON.stringify(inventory)), inventory);
});

test("the committed zstd layer of the fixture still holds the fixture's third tar", async () => {
  const { decompress } = await import('fzstd');
  const [, , layer3] = await fixtureTars();
  assert.deepEqual(Buffer.from(decompress(new Uint8Array(FIXTURE_ZSTD_LAYER))), layer3);
});
