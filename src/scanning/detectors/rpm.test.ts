import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { inventoryOf, UnreadableLayer } from '../layers/inventory-of.js';
import { gzipLayer } from '../layers/test-suite-layers.js';
import { MalformedRpmHeader, parseRpmHeader, RPM_TYPE, RPMTAG } from './rpm-header.js';
import { parseSourceRpm, readRpmDb } from './rpmdb.js';

type TagValue = { tag: number; type: number; value: string | readonly string[] | readonly number[] };

/**
 * An rpm header blob as rpmdb stores it: il, dl, index entries, data. Strings are NUL-terminated,
 * int32s 4-aligned; a HEADERIMMUTABLE region entry comes first, with its trailer at the end of the data.
 */
function headerBlob(tags: readonly TagValue[]): Buffer {
  const data: Buffer[] = [];
  let length = 0;
  const entries: [number, number, number, number][] = [];
  for (const { tag, type, value } of tags) {
    if (type === RPM_TYPE.INT32) {
      const pad = (4 - (length % 4)) % 4;
      data.push(Buffer.alloc(pad));
      length += pad;
      const ints = value as readonly number[];
      const bytes = Buffer.alloc(ints.length * 4);
      ints.forEach((n, i) => bytes.writeInt32BE(n, i * 4));
      entries.push([tag, type, length, ints.length]);
      data.push(bytes);
      length += bytes.length;
    } else {
      const strings = typeof value === 'string' ? [value] : (value as readonly string[]);
      const bytes = Buffer.concat(strings.map((s) => Buffer.from(`${s}\0`)));
      entries.push([tag, type, length, strings.length]);
      data.push(bytes);
      length += bytes.length;
    }
  }
  const il = entries.length + 1;
  const trailer = Buffer.alloc(16);
  trailer.writeInt32BE(63, 0);
  trailer.writeUInt32BE(7, 4);
  trailer.writeInt32BE(-il * 16, 8);
  trailer.writeUInt32BE(16, 12);
  const region: [number, number, number, number] = [63, 7, length, 16];
  data.push(trailer);
  length += 16;
  const index = Buffer.alloc(il * 16);
  [region, ...entries].forEach(([tag, type, offset, count], i) => {
    index.writeInt32BE(tag, i * 16);
    index.writeUInt32BE(type, i * 16 + 4);
    index.writeInt32BE(offset, i * 16 + 8);
    index.writeUInt32BE(count, i * 16 + 12);
  });
  const preamble = Buffer.alloc(8);
  preamble.writeUInt32BE(il, 0);
  preamble.writeUInt32BE(length, 4);
  return Buffer.concat([preamble, index, ...data]);
}

interface TestRpm {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  sourceRpm?: string;
  files?: string[];
}

function rpmBlob(pkg: TestRpm): Buffer {
  const tags: TagValue[] = [
    { tag: RPMTAG.NAME, type: RPM_TYPE.STRING, value: pkg.name },
    { tag: RPMTAG.VERSION, type: RPM_TYPE.STRING, value: pkg.version },
    { tag: RPMTAG.RELEASE, type: RPM_TYPE.STRING, value: pkg.release },
    { tag: 1004, type: RPM_TYPE.I18NSTRING, value: ['a summary'] },
  ];
  if (pkg.epoch !== undefined) tags.push({ tag: RPMTAG.EPOCH, type: RPM_TYPE.INT32, value: [pkg.epoch] });
  tags.push({ tag: RPMTAG.ARCH, type: RPM_TYPE.STRING, value: 'x86_64' });
  if (pkg.sourceRpm) tags.push({ tag: RPMTAG.SOURCERPM, type: RPM_TYPE.STRING, value: pkg.sourceRpm });
  if (pkg.files?.length) {
    const dirs = [...new Set(pkg.files.map((f) => f.slice(0, f.lastIndexOf('/') + 1)))];
    tags.push({ tag: RPMTAG.DIRINDEXES, type: RPM_TYPE.INT32, value: pkg.files.map((f) => dirs.indexOf(f.slice(0, f.lastIndexOf('/') + 1))) });
    tags.push({ tag: RPMTAG.BASENAMES, type: RPM_TYPE.STRING_ARRAY, value: pkg.files.map((f) => f.slice(f.lastIndexOf('/') + 1)) });
    tags.push({ tag: RPMTAG.DIRNAMES, type: RPM_TYPE.STRING_ARRAY, value: dirs });
  }
  return headerBlob(tags);
}

/** An rpmdb.sqlite like rpm 4.16+ writes (the Packages table, one index table), as bytes. */
function rpmdbBytes(blobs: readonly Buffer[], options: { wal?: boolean } = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rpmdb-test-'));
  try {
    const file = join(dir, 'rpmdb.sqlite');
    const db = new Database(file);
    if (options.wal) db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
    db.exec("CREATE TABLE 'Name' (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY(key, hnum, idx)) WITHOUT ROWID");
    const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
    for (const blob of blobs) insert.run(blob);
    db.close();
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const OPENSSL: TestRpm = { name: 'openssl-libs', version: '3.0.7', release: '24.el9', epoch: 1, sourceRpm: 'openssl-3.0.7-24.el9.src.rpm', files: ['/usr/lib64/libssl.so.3', '/usr/lib64/libcrypto.so.3'] };
const REQUESTS: TestRpm = {
  name: 'python3-requests',
  version: '2.25.1',
  release: '8.el9',
  sourceRpm: 'python-requests-2.25.1-8.el9.src.rpm',
  files: ['/usr/lib/python3.9/site-packages/requests', '/usr/lib/python3.9/site-packages/requests/api.py', '/usr/lib/python3.9/site-packages/requests-2.25.1-py3.9.egg-info/PKG-INFO'],
};

test('rpm header blobs: name, version, release, epoch, arch, source rpm and the file list', () => {
  assert.deepEqual(parseRpmHeader(rpmBlob(OPENSSL)), { name: 'openssl-libs', version: '3.0.7', release: '24.el9', epoch: 1, arch: 'x86_64', sourceRpm: 'openssl-3.0.7-24.el9.src.rpm', files: ['/usr/lib64/libssl.so.3', '/usr/lib64/libcrypto.so.3'] });
  assert.deepEqual(parseRpmHeader(rpmBlob({ name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b' })), { name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b', arch: 'x86_64', files: [] });
});

test('malformed rpm headers are refused, not misread', () => {
  const good = rpmBlob(OPENSSL);
  assert.throws(() => parseRpmHeader(good.subarray(0, 6)), MalformedRpmHeader);
  assert.throws(() => parseRpmHeader(good.subarray(0, good.length - 40)), MalformedRpmHeader, 'dl past the end');
  assert.throws(() => parseRpmHeader(headerBlob([{ tag: RPMTAG.VERSION, type: RPM_TYPE.STRING, value: '1' }])), /without NAME/);
  assert.throws(() => parseRpmHeader(headerBlob([{ tag: RPMTAG.NAME, type: RPM_TYPE.INT32, value: [1] }])), /not a string/);
});

test('source rpm file names: names with dashes, nosrc', () => {
  assert.deepEqual(parseSourceRpm('openssl-3.0.7-24.el9.src.rpm'), { name: 'openssl', versionRelease: '3.0.7-24.el9' });
  assert.deepEqual(parseSourceRpm('python-requests-2.25.1-8.el9.nosrc.rpm'), { name: 'python-requests', versionRelease: '2.25.1-8.el9' });
  assert.equal(parseSourceRpm('nonsense.src.rpm'), undefined);
});

test('an rpmdb.sqlite: packages as [epoch:]version-release with their source, gpg-pubkey skipped, language roots owned', async () => {
  const fact = await readRpmDb(rpmdbBytes([rpmBlob(OPENSSL), rpmBlob(REQUESTS), rpmBlob({ name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b' }), rpmBlob({ name: 'bash', version: '5.1.8', release: '6.el9', epoch: 0, sourceRpm: 'bash-5.1.8-6.el9_1.src.rpm' })]));
  assert.deepEqual(fact, {
    kind: 'rpmdb',
    packages: [
      { name: 'openssl-libs', version: '1:3.0.7-24.el9', source: 'openssl' },
      { name: 'python3-requests', version: '2.25.1-8.el9', source: 'python-requests' },
      { name: 'bash', version: '5.1.8-6.el9', source: 'bash', sourceVersion: '5.1.8-6.el9_1' },
    ],
    owns: ['usr/lib/python3.9/site-packages/requests-2.25.1-py3.9.egg-info'],
  });
});

test('a database left in WAL mode is read without its -wal and -shm files; garbage is an error, not a throw', async () => {
  const fact = await readRpmDb(rpmdbBytes([rpmBlob(OPENSSL)], { wal: true }));
  assert.deepEqual(fact.packages.map((pkg) => pkg.name), ['openssl-libs']);
  const garbage = await readRpmDb(Buffer.from('SQLite format 3\0 but not really'.padEnd(4096, 'x')));
  assert.equal(garbage.kind, 'rpmdb');
  assert.match(garbage.error ?? '', /./);
});

test('a Rocky 9 image: rpm packages, an rpm-owned Python package not counted again, a pip one counted; Fedora keeps it under usr/lib/sysimage', async () => {
  const osRelease = { path: 'etc/os-release', body: 'ID="rocky"\nVERSION_ID="9.3"\n' };
  const db = rpmdbBytes([rpmBlob(OPENSSL), rpmBlob(REQUESTS)]);
  const layers = [
    await gzipLayer([osRelease, { path: 'var/lib/rpm/rpmdb.sqlite', body: db }, { path: 'usr/lib/python3.9/site-packages/requests-2.25.1-py3.9.egg-info/PKG-INFO', body: 'Name: requests\nVersion: 2.25.1\n' }]),
    await gzipLayer([{ path: 'usr/local/lib/python3.9/site-packages/flask-3.0.0.dist-info/METADATA', body: 'Name: Flask\nVersion: 3.0.0\n' }]),
  ];
  const inventory = await inventoryOf(layers, {});
  assert.deepEqual(inventory.os, { id: 'rocky', versionId: '9.3' });
  assert.deepEqual(
    inventory.packages.map((pkg) => [pkg.type, pkg.name, pkg.version, pkg.sourceName, pkg.path]),
    [
      ['python', 'Flask', '3.0.0', undefined, 'usr/local/lib/python3.9/site-packages/flask-3.0.0.dist-info/METADATA'],
      ['rpm', 'openssl-libs', '1:3.0.7-24.el9', 'openssl', 'var/lib/rpm/rpmdb.sqlite'],
      ['rpm', 'python3-requests', '2.25.1-8.el9', 'python-requests', 'var/lib/rpm/rpmdb.sqlite'],
    ],
  );
  const fedora = await inventoryOf([await gzipLayer([{ path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', body: db }, { path: 'var/lib/rpm', symlink: '../../usr/lib/sysimage/rpm' }])], {});
  assert.deepEqual(fedora.packages.map((pkg) => pkg.path), ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite']);
});

test('an unreadable rpmdb fails the scan only if the final image still has it', async () => {
  const broken = await gzipLayer([{ path: 'var/lib/rpm/rpmdb.sqlite', body: 'not a database'.repeat(100) }]);
  await assert.rejects(inventoryOf([broken], {}), (err: unknown) => err instanceof UnreadableLayer && /var\/lib\/rpm\/rpmdb\.sqlite is not a readable rpm database/.test(err.message));
  const fixed = await gzipLayer([{ path: 'var/lib/rpm/rpmdb.sqlite', body: rpmdbBytes([rpmBlob(OPENSSL)]) }]);
  assert.deepEqual((await inventoryOf([broken, fixed], {})).packages.map((pkg) => pkg.name), ['openssl-libs']);
});
