import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inventoryOf } from '../layers/inventory-of.js';
import { gzipLayer } from '../layers/test-suite-layers.js';
import { fileKindOf, languagePackageRoot } from './file-kinds.js';
import { parsePackageJson, parsePythonMetadata } from './language.js';

test('npm: only a package.json directly in node_modules/<name>/ or node_modules/@scope/<name>/ is a package', () => {
  const yes = ['node_modules/semver/package.json', 'app/node_modules/@babel/core/package.json', 'app/node_modules/a/node_modules/b/package.json', 'usr/lib/node_modules/npm/package.json', 'x/node_modules/.pnpm/a@1.0.0/node_modules/a/package.json'];
  const no = ['app/package.json', 'package.json', 'node_modules/x/lib/package.json', 'node_modules/@babel/package.json', 'node_modules/.bin/package.json', 'node_modules/.package-lock.json', 'node_modules/x/package.json.bak', 'node_modules/package.json', 'usr/share/nodejs/semver/package.json'];
  for (const path of yes) assert.equal(fileKindOf(path), 'npm', path);
  for (const path of no) assert.equal(fileKindOf(path), undefined, path);
  assert.equal(languagePackageRoot('app/node_modules/@babel/core/package.json'), 'app/node_modules/@babel/core');
});

test('python: dist-info METADATA, egg-info PKG-INFO and egg-info files, directly in site-packages or dist-packages', () => {
  const yes = ['usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA', 'usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info/PKG-INFO', 'usr/lib/python3/dist-packages/six-1.16.0.egg-info', 'opt/venv/lib/python3.12/site-packages/pip-24.0.dist-info/METADATA'];
  const no = ['src/requests-2.28.1.dist-info/METADATA', 'usr/lib/python3/dist-packages/pkg/sub.dist-info/METADATA', 'usr/lib/python3/dist-packages/a.dist-info/RECORD', 'usr/lib/python3/site-packages/a.dist-info'];
  for (const path of yes) assert.equal(fileKindOf(path), 'python', path);
  for (const path of no) assert.equal(fileKindOf(path), undefined, path);
  assert.equal(languagePackageRoot('usr/lib/python3/dist-packages/six-1.16.0.egg-info'), 'usr/lib/python3/dist-packages/six-1.16.0.egg-info');
});

test('package.json: name and version strings, else nothing (bad JSON, arrays, missing fields, a BOM is fine)', () => {
  assert.deepEqual(parsePackageJson('\uFEFF{"name":"semver","version":"7.5.1","dependencies":{}}'), { name: 'semver', version: '7.5.1' });
  for (const text of ['{', '[]', 'null', '{"name":"x"}', '{"name":"x","version":7}', '{"version":"1.0.0"}']) assert.deepEqual(parsePackageJson(text), {}, text);
});

test('Python metadata: Name and Version headers before the first blank line, case-insensitive, CRLF', () => {
  assert.deepEqual(parsePythonMetadata('Metadata-Version: 2.1\r\nname: requests\r\nVERSION: 2.28.1\r\nSummary: HTTP\r\n\r\nVersion: 9.9\r\n'), { name: 'requests', version: '2.28.1' });
  assert.deepEqual(parsePythonMetadata('Metadata-Version: 2.1\nSummary: x\n\nName: late\nVersion: 1\n'), {}, 'the description body is not headers');
  assert.deepEqual(parsePythonMetadata('Name: x\n'), {});
});

test('language packages in an image: several node_modules trees, scoped and nested; a broken package.json is skipped', async () => {
  const json = (name: string, version: string) => JSON.stringify({ name, version });
  const layer = await gzipLayer([
    { path: 'app/package.json', body: json('demo-app', '1.0.0') },
    { path: 'app/node_modules/@scope/pkg/package.json', body: json('@scope/pkg', '2.0.0') },
    { path: 'app/node_modules/a/node_modules/b/package.json', body: json('b', '0.1.0') },
    { path: 'app/node_modules/a/package.json', body: json('a', '1.0.0') },
    { path: 'app/node_modules/a/test/fixtures/package.json', body: json('fixture', '0.0.0') },
    { path: 'app/node_modules/broken/package.json', body: '{ not json' },
    { path: 'usr/lib/node_modules/npm/package.json', body: json('npm', '10.2.4') },
  ]);
  const inventory = await inventoryOf([layer], {});
  assert.deepEqual(
    inventory.packages.map((pkg) => `${pkg.name}@${pkg.version} ${pkg.path}`),
    ['@scope/pkg@2.0.0 app/node_modules/@scope/pkg/package.json', 'a@1.0.0 app/node_modules/a/package.json', 'b@0.1.0 app/node_modules/a/node_modules/b/package.json', 'npm@10.2.4 usr/lib/node_modules/npm/package.json'],
  );
});

test('an OS package owning a language package hides it only while its file list is there', async () => {
  const egg = 'usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info';
  const layers = [
    await gzipLayer([{ path: `${egg}/PKG-INFO`, body: 'Name: PyJWT\nVersion: 2.6.0\n' }, { path: 'var/lib/dpkg/info/python3-jwt.list', body: `/${egg}\n/${egg}/PKG-INFO\n` }]),
    await gzipLayer([{ path: 'var/lib/dpkg/info/.wh.python3-jwt.list', body: '' }]),
  ];
  assert.deepEqual((await inventoryOf(layers.slice(0, 1), {})).packages, []);
  const orphaned = await inventoryOf(layers, {});
  assert.deepEqual(orphaned.packages.map((pkg) => [pkg.name, pkg.layerDigest === layers[1]!.digest]), [['PyJWT', true]], 'it appears (as the layer that removed the owner) once unowned');
});
