import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../inventory.js';
import { inventoryOf } from './inventory-of.js';
import { gzipLayer, type TestEntry, type TestLayer } from './test-suite-layers.js';

const npm = (path: string, name: string, version: string): TestEntry => ({ path: `${path}/package.json`, body: JSON.stringify({ name, version }) });

/** name@version → index of the layer it is attributed to. */
function attribution(inventory: Inventory, layers: readonly TestLayer[]): Record<string, number> {
  return Object.fromEntries(inventory.packages.map((pkg) => [`${pkg.name}@${pkg.version}`, layers.findIndex((layer) => layer.digest === pkg.layerDigest)]));
}

async function image(...layers: TestEntry[][]): Promise<{ layers: TestLayer[]; found: Record<string, number> }> {
  const built = await Promise.all(layers.map((entries) => gzipLayer(entries)));
  return { layers: built, found: attribution(await inventoryOf(built, {}), built) };
}

test('a file deleted by a whiteout and added again higher up belongs to the layer that added it again', async () => {
  const { found } = await image(
    [npm('app/node_modules/a', 'a', '1.0.0'), npm('app/node_modules/b', 'b', '1.0.0')],
    [{ path: 'app/node_modules/.wh.a', body: '' }],
    [npm('app/node_modules/a', 'a', '1.0.0')],
  );
  assert.deepEqual(found, { 'a@1.0.0': 2, 'b@1.0.0': 0 });
});

test('a whiteout of a directory deletes everything below it, nested node_modules too', async () => {
  const { found } = await image(
    [npm('app/node_modules/a', 'a', '1.0.0'), npm('app/node_modules/a/node_modules/c', 'c', '2.0.0'), npm('app/node_modules/ab', 'ab', '1.0.0')],
    [{ path: 'app/node_modules/.wh.a', body: '' }],
  );
  assert.deepEqual(found, { 'ab@1.0.0': 0 }, 'a sibling sharing the prefix (ab) stays');
});

test('a whiteout never hides a file of its own layer', async () => {
  const { found } = await image([npm('app/node_modules/a', 'a', '1.0.0')], [npm('app/node_modules/a', 'a', '2.0.0'), { path: 'app/node_modules/.wh.a', body: '' }]);
  assert.deepEqual(found, { 'a@2.0.0': 1 });
});

test('an opaque directory hides what lower layers put below it, not what its own layer adds (in any tar order)', async () => {
  // kept is rewritten at the same version in the opaque layer: within one layer that is a rewrite, so it keeps its layer.
  const { found } = await image(
    [npm('app/node_modules/old', 'old', '1.0.0'), npm('app/node_modules/kept', 'kept', '1.0.0'), npm('srv/node_modules/other', 'other', '1.0.0')],
    [npm('app/node_modules/before', 'before', '1.0.0'), { path: 'app/node_modules/.wh..wh..opq', body: '' }, npm('app/node_modules/kept', 'kept', '1.0.0'), npm('app/node_modules/after', 'after', '1.0.0')],
  );
  assert.deepEqual(found, { 'after@1.0.0': 1, 'before@1.0.0': 1, 'kept@1.0.0': 0, 'other@1.0.0': 0 });
});

test('an unchanged package stays with the layer that added it even when a later layer rewrites its file', async () => {
  const { found } = await image([npm('app/node_modules/a', 'a', '1.0.0'), npm('app/node_modules/b', 'b', '1.0.0')], [npm('app/node_modules/a', 'a', '1.0.0'), npm('app/node_modules/b', 'b', '1.1.0')]);
  assert.deepEqual(found, { 'a@1.0.0': 0, 'b@1.1.0': 1 });
});

test('a version changed and changed back belongs to the layer that changed it back', async () => {
  const { found } = await image(
    [npm('app/node_modules/a', 'a', '1.0.0')],
    [npm('app/node_modules/a', 'a', '2.0.0')],
    // (another file too, or this layer would be the first one again: same bytes, same digest)
    [npm('app/node_modules/a', 'a', '1.0.0'), npm('app/node_modules/b', 'b', '1.0.0')],
  );
  assert.deepEqual(found, { 'a@1.0.0': 2, 'b@1.0.0': 2 });
});

test('entry names are normalised: ./ and / prefixes, duplicate slashes and dot segments', async () => {
  const built = [await gzipLayer([npm('./app/node_modules/a', 'a', '1.0.0'), npm('/srv//node_modules/./b', 'b', '1.0.0'), { path: './etc/os-release', body: 'ID=alpine\nVERSION_ID=3.19.1\n' }])];
  const inventory = await inventoryOf(built, {});
  assert.deepEqual(
    inventory.packages.map((pkg) => pkg.path),
    ['app/node_modules/a/package.json', 'srv/node_modules/b/package.json'],
  );
  assert.equal(inventory.os?.id, 'alpine');
});

test('os-release through symlinks: relative and absolute targets, a symlink replaced by a file, a dangling or looping link', async () => {
  const debian = { path: 'usr/lib/os-release', body: 'ID=debian\nVERSION_ID="12"\n' };
  const os = async (...layers: TestEntry[][]) => (await inventoryOf(await Promise.all(layers.map((entries) => gzipLayer(entries))), {})).os;
  assert.equal((await os([debian, { path: 'etc/os-release', symlink: '/usr/lib/os-release' }]))?.id, 'debian');
  assert.equal((await os([debian, { path: 'etc/os-release', symlink: '../usr/lib/os-release' }], [{ path: 'etc/os-release', body: 'ID=ubuntu\nVERSION_ID="22.04"\n' }]))?.id, 'ubuntu');
  assert.equal((await os([debian, { path: 'etc/os-release', symlink: '../usr/lib/missing' }]))?.id, 'debian', 'a dangling etc/os-release falls back to usr/lib/os-release');
  assert.equal(await os([{ path: 'etc/os-release', symlink: 'os-release' }]), undefined, 'a link to itself is no OS');
  // The symlink's target changes in a later layer: the link follows it.
  assert.equal((await os([debian, { path: 'etc/os-release', symlink: '../usr/lib/os-release' }], [{ path: 'usr/lib/os-release', body: 'ID=debian\nVERSION_ID="13"\n' }]))?.versionId, '13');
  // Whiting out the target leaves the link dangling.
  assert.equal(await os([debian, { path: 'etc/os-release', symlink: '../usr/lib/os-release' }], [{ path: 'usr/lib/.wh.os-release', body: '' }]), undefined);
});

test('a hardlink to a relevant file of the same layer has its content', async () => {
  const built = [await gzipLayer([{ path: 'usr/lib/os-release', body: 'ID=fedora\nVERSION_ID=40\n' }, { path: 'etc/os-release', hardlink: 'usr/lib/os-release' }])];
  const view = await inventoryOf(built, {});
  assert.equal(view.os?.id, 'fedora');
  // Removing the original name leaves the hardlinked copy in place.
  const two = [built[0]!, await gzipLayer([{ path: 'usr/lib/.wh.os-release', body: '' }])];
  assert.equal((await inventoryOf(two, {})).os?.id, 'fedora');
});

test('an image without layers, or without anything detectors read, has no OS and no packages', async () => {
  assert.deepEqual(await inventoryOf([], {}), { packages: [] });
  assert.deepEqual(await inventoryOf([await gzipLayer([{ path: 'bin/sh', body: '#!' }, { path: 'etc', directory: true }])], {}), { packages: [] });
});
