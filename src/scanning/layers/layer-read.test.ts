import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inventoryOf, UnreadableLayer, UnsupportedLayer } from './inventory-of.js';
import { readLayerFacts } from './layer-facts.js';
import { DEFAULT_SCAN_LIMITS } from './limits.js';
import { gzip, MEDIA, NO_ZSTD_COMMAND, tarOf, TestLayer, zstd, type TestEntry } from './test-suite-layers.js';

const ENTRIES: TestEntry[] = [
  { path: 'etc/os-release', body: 'ID=alpine\nVERSION_ID=3.19.1\n' },
  { path: 'app/node_modules/left-pad/package.json', body: JSON.stringify({ name: 'left-pad', version: '1.3.0' }) },
];
const names = async (layer: TestLayer): Promise<string[]> => (await inventoryOf([layer], {})).packages.map((pkg) => `${pkg.name}@${pkg.version}`);

test('gzip, zstd and plain tars are read, whatever the media type claims (magic bytes decide)', { skip: NO_ZSTD_COMMAND }, async () => {
  const tar = await tarOf(ENTRIES);
  const cases: [Buffer, string][] = [
    [gzip(tar), MEDIA.gzip],
    [gzip(tar), MEDIA.dockerGzip],
    [zstd(tar), MEDIA.zstd],
    [tar, MEDIA.tar],
    [tar, MEDIA.gzip], // pushed uncompressed under a gzip type
    [gzip(tar), MEDIA.tar], // gzipped under the plain type
    [zstd(tar), MEDIA.dockerGzip],
    [tar, 'application/vnd.oci.image.layer.nondistributable.v1.tar'],
  ];
  for (const [bytes, mediaType] of cases) assert.deepEqual(await names(new TestLayer(bytes, mediaType)), ['left-pad@1.3.0'], mediaType);
});

test('a blob whose media type is not a tar layer (an OCI artifact) is UnsupportedLayer and is never opened', async () => {
  for (const mediaType of ['application/vnd.cncf.helm.chart.content.v1.tar+gzip', 'application/vnd.oci.image.config.v1+json', 'application/vnd.oci.image.layer.v1.tar+gzip+encrypted', '']) {
    const layer = new TestLayer(gzip(await tarOf(ENTRIES)), mediaType);
    await assert.rejects(inventoryOf([layer], {}), UnsupportedLayer, mediaType);
    assert.equal(layer.opens, 0);
  }
});

test('a tar media type over bytes that are no tar is UnsupportedLayer; xz and bzip2 are refused by name', async () => {
  const json = Buffer.from(JSON.stringify({ schemaVersion: 2, padding: 'x'.repeat(1200) }));
  await assert.rejects(inventoryOf([new TestLayer(json, MEDIA.tar)], {}), /is not a tar archive/);
  await assert.rejects(inventoryOf([new TestLayer(gzip(json), MEDIA.gzip)], {}), UnsupportedLayer);
  await assert.rejects(inventoryOf([new TestLayer(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1, 2]), MEDIA.tar)], {}), /xz-compressed/);
  await assert.rejects(inventoryOf([new TestLayer(Buffer.from('BZh91AY&SY'), MEDIA.tar)], {}), /bzip2-compressed/);
});

test('corrupt or truncated layers are UnreadableLayer', { skip: NO_ZSTD_COMMAND }, async () => {
  const tar = await tarOf([...ENTRIES, { path: 'usr/lib/libbig.so', body: Buffer.alloc(256 * 1024, 7) }]);
  const gz = gzip(tar);
  const corrupt = Buffer.from(gz);
  corrupt.fill(0x55, 40, 80);
  await assert.rejects(inventoryOf([new TestLayer(corrupt)], {}), (err: unknown) => err instanceof UnreadableLayer && /gzip data is corrupt/.test(err.message));
  await assert.rejects(inventoryOf([new TestLayer(gz.subarray(0, gz.length - 200))], {}), UnreadableLayer, 'truncated gzip');
  await assert.rejects(inventoryOf([new TestLayer(tar.subarray(0, 3000), MEDIA.tar)], {}), (err: unknown) => err instanceof UnreadableLayer && /ends in the middle/.test(err.message));
  const zst = zstd(tar);
  await assert.rejects(inventoryOf([new TestLayer(zst.subarray(0, zst.length - 5), MEDIA.zstd)], {}), UnreadableLayer, 'truncated zstd');
});

test('an empty blob, and a tar of only end-of-archive blocks, are empty layers', async () => {
  assert.deepEqual(await inventoryOf([new TestLayer(Buffer.alloc(0), MEDIA.tar)], {}), { packages: [] });
  assert.deepEqual(await inventoryOf([new TestLayer(gzip(Buffer.alloc(1024)))], {}), { packages: [] });
});

test('what open() throws (a missing blob) comes through unchanged', async () => {
  const missing = new Error('BLOB_UNKNOWN');
  const layer = { digest: 'sha256:gone', mediaType: MEDIA.gzip, open: async () => Promise.reject(missing) };
  await assert.rejects(inventoryOf([layer], {}), (err: unknown) => err === missing);
});

test('layer facts keep relevant files, links and whiteouts only', async () => {
  const layer = new TestLayer(
    gzip(
      await tarOf([
        { path: 'usr', directory: true },
        { path: 'usr/bin/env', body: '#!/bin/sh' },
        { path: 'usr/lib/os-release', body: 'ID=debian\n' },
        { path: 'etc/os-release', symlink: '../usr/lib/os-release' },
        { path: 'srv/.wh.old', body: '' },
        { path: 'srv/.wh..wh..opq', body: '' },
        { path: '.wh..wh..plnk', body: '' },
        { path: 'lib/node_modules/npm/package.json', body: '{"name":"npm","version":"10.2.4"}' },
        { path: 'lib/node_modules/npm/lib/package.json', body: '{"name":"not-a-root","version":"1.0.0"}' },
      ]),
    ),
  );
  assert.deepEqual(await readLayerFacts(layer, DEFAULT_SCAN_LIMITS), {
    format: 1,
    whiteouts: ['srv/old'],
    opaque: ['srv'],
    files: [
      { path: 'usr/lib/os-release', kind: 'os-release', os: { id: 'debian' } },
      { path: 'etc/os-release', kind: 'symlink', target: 'usr/lib/os-release' },
      { path: 'lib/node_modules/npm/package.json', kind: 'npm', name: 'npm', version: '10.2.4' },
    ],
  });
});
