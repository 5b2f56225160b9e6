import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inventoryOf } from '../layers/inventory-of.js';
import { gzipLayer } from '../layers/test-suite-layers.js';
import { parseApkDb } from './apk.js';

const DB = [
  'C:Q1abc=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\nF:lib\nR:ld-musl-x86_64.so.1\n',
  'P:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\nF:usr/lib\nR:libcrypto.so.3\n',
  'P:py3-requests\nV:2.31.0-r1\no:py3-requests\nF:usr/lib/python3.11/site-packages/requests-2.31.0.dist-info\nR:METADATA\nR:RECORD\nF:usr/lib/python3.11/site-packages/requests\nR:api.py\n',
  'P:busybox\nV:1.36.1-r15\n',
].join('\n');

test('apk installed database: P, V, o (origin), and the language packages its R: files own', () => {
  assert.deepEqual(parseApkDb(DB), {
    packages: [
      { name: 'musl', version: '1.2.4_git20230717-r4', source: 'musl' },
      { name: 'libcrypto3', version: '3.1.4-r5', source: 'openssl' },
      { name: 'py3-requests', version: '2.31.0-r1', source: 'py3-requests' },
      { name: 'busybox', version: '1.36.1-r15' },
    ],
    owns: ['usr/lib/python3.11/site-packages/requests-2.31.0.dist-info'],
  });
});

test('an Alpine image: apk packages with their origin, an apk-owned Python package not counted again, a pip one counted', async () => {
  const layers = [
    await gzipLayer([
      { path: 'etc/os-release', body: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n' },
      { path: 'lib/apk/db/installed', body: DB },
      { path: 'usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA', body: 'Name: requests\nVersion: 2.31.0\n' },
    ]),
    await gzipLayer([{ path: 'usr/lib/python3.11/site-packages/urllib3-2.0.7.dist-info/METADATA', body: 'Name: urllib3\nVersion: 2.0.7\n' }]),
  ];
  const inventory = await inventoryOf(layers, {});
  assert.deepEqual(inventory.os, { id: 'alpine', versionId: '3.19.1' });
  assert.deepEqual(
    inventory.packages.map((pkg) => [pkg.type, pkg.name, pkg.version, pkg.sourceName]),
    [
      ['apk', 'busybox', '1.36.1-r15', 'busybox'],
      ['apk', 'libcrypto3', '3.1.4-r5', 'openssl'],
      ['apk', 'musl', '1.2.4_git20230717-r4', 'musl'],
      ['apk', 'py3-requests', '2.31.0-r1', 'py3-requests'],
      ['python', 'urllib3', '2.0.7', undefined],
    ],
  );
  assert.ok(inventory.packages.every((pkg) => pkg.type !== 'apk' || pkg.path === 'lib/apk/db/installed'));
});
