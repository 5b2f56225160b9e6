import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { inventoryOf } from '../layers/inventory-of.js';
import { gzipLayer } from '../layers/test-suite-layers.js';
import { parseDpkgFileList, parseDpkgStatus } from './dpkg.js';

const stanza = (fields: Record<string, string>): string => `${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;

test('the fixture status files: 12 and 16 installed packages, Source with and without a version', () => {
  const base = parseDpkgStatus(readFileSync('/work/shared/fixtures/scan/debian12/status.base', 'utf8'), false);
  const layer2 = parseDpkgStatus(readFileSync('/work/shared/fixtures/scan/debian12/status.layer2', 'utf8'), false);
  assert.equal(base.length, 12);
  assert.equal(layer2.length, 16);
  const byName = new Map(layer2.map((pkg) => [pkg.name, pkg]));
  assert.deepEqual(byName.get('libssh2-1'), { name: 'libssh2-1', version: '1.10.0-3+b1', source: 'libssh2', sourceVersion: '1.10.0-3' });
  assert.deepEqual(byName.get('liblzma5'), { name: 'liblzma5', version: '5.4.1-1', source: 'xz-utils' });
  assert.deepEqual(byName.get('jq'), { name: 'jq', version: '1.6-2.1+deb12u1' });
  assert.deepEqual(byName.get('libgcrypt20'), { name: 'libgcrypt20', version: '1.10.1-3+deb12u1' });
});

test('only installed stanzas count: config-files, half-installed and not-installed are not; held packages are', () => {
  const text = [
    stanza({ Package: 'a', Status: 'install ok installed', Version: '1' }),
    stanza({ Package: 'b', Status: 'deinstall ok config-files', Version: '1' }),
    stanza({ Package: 'c', Status: 'install ok half-installed', Version: '1' }),
    stanza({ Package: 'd', Status: 'purge ok not-installed' }),
    stanza({ Package: 'e', Status: 'hold ok installed', Version: '2' }),
    stanza({ Package: 'f', Version: '1' }),
    stanza({ Package: 'g', Status: 'install reinstreq installed', Version: '1' }),
  ].join('\n');
  assert.deepEqual(parseDpkgStatus(text, false).map((pkg) => pkg.name), ['a', 'e']);
});

test('multi-line fields never leak into the fields read; CRLF and case of field names do not matter', () => {
  const text = 'Package: a\r\nstatus: install ok installed\r\nDescription: x\r\n Version: 9\r\n Source: evil\r\nVERSION: 1.0\r\nSource: src (0.9)\r\n';
  assert.deepEqual(parseDpkgStatus(text, false), [{ name: 'a', version: '1.0', source: 'src', sourceVersion: '0.9' }]);
  assert.deepEqual(parseDpkgStatus(stanza({ Package: 'b', Status: 'install ok installed', Version: '2', Source: 'b (2)' }), false), [{ name: 'b', version: '2', source: 'b' }], 'a source version equal to the version is not repeated');
});

test('distroless status.d files have no Status line: their stanzas are installed', () => {
  assert.deepEqual(parseDpkgStatus(stanza({ Package: 'libc6', Version: '2.36-9+deb12u4', Source: 'glibc' }), true), [{ name: 'libc6', version: '2.36-9+deb12u4', source: 'glibc' }]);
});

test('file lists keep only language package roots', () => {
  const list = ['/.', '/usr', '/usr/lib/python3/dist-packages', '/usr/lib/python3/dist-packages/jwt/api_jwt.py', '/usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info', '/usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO', '/usr/share/nodejs/x/package.json', '/usr/lib/node_modules/npm/package.json', ''].join('\n');
  assert.deepEqual(parseDpkgFileList(list, false), ['usr/lib/node_modules/npm', 'usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info']);
  assert.deepEqual(parseDpkgFileList('0123abcd  usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n', true), ['usr/lib/python3/dist-packages/six-1.16.0.dist-info']);
});

test('a distroless image: status.d packages, md5sums ownership, each file its own path', async () => {
  const layer = await gzipLayer([
    { path: 'var/lib/dpkg/status.d/libc6', body: stanza({ Package: 'libc6', Version: '2.36-9+deb12u4', Architecture: 'amd64', Source: 'glibc' }) },
    { path: 'var/lib/dpkg/status.d/python3-six', body: stanza({ Package: 'python3-six', Version: '1.16.0-4', Source: 'six' }) },
    { path: 'var/lib/dpkg/status.d/python3-six.md5sums', body: 'd41d8cd98f00b204e9800998ecf8427e  usr/lib/python3/dist-packages/six-1.16.0.egg-info\n' },
    { path: 'usr/lib/python3/dist-packages/six-1.16.0.egg-info', body: 'Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n' },
    { path: 'usr/lib/python3/dist-packages/attrs-22.2.0.dist-info/METADATA', body: 'Name: attrs\nVersion: 22.2.0\n' },
  ]);
  const inventory = await inventoryOf([layer], {});
  assert.deepEqual(
    inventory.packages.map((pkg) => [pkg.type, pkg.name, pkg.version, pkg.sourceName, pkg.path]),
    [
      ['dpkg', 'libc6', '2.36-9+deb12u4', 'glibc', 'var/lib/dpkg/status.d/libc6'],
      ['dpkg', 'python3-six', '1.16.0-4', 'six', 'var/lib/dpkg/status.d/python3-six'],
      ['python', 'attrs', '22.2.0', undefined, 'usr/lib/python3/dist-packages/attrs-22.2.0.dist-info/METADATA'],
    ],
  );
});

test('a package removed by a later status file is gone; one listed twice (multi-arch) is reported once', async () => {
  const installed = (name: string, version: string, arch = 'amd64') => stanza({ Package: name, Status: 'install ok installed', Architecture: arch, Version: version });
  const layers = [
    await gzipLayer([{ path: 'var/lib/dpkg/status', body: [installed('curl', '7.88.1-10'), installed('libc6', '2.36-9'), installed('libc6', '2.36-9', 'i386')].join('\n') }]),
    await gzipLayer([{ path: 'var/lib/dpkg/status', body: [installed('libc6', '2.36-9'), installed('libc6', '2.36-9', 'i386'), stanza({ Package: 'curl', Status: 'deinstall ok config-files', Version: '7.88.1-10' })].join('\n') }]),
  ];
  const inventory = await inventoryOf(layers, {});
  assert.deepEqual(inventory.packages.map((pkg) => [pkg.name, pkg.layerDigest === layers[0]!.digest]), [['libc6', true]]);
});
