import { SCAN_FIXTURE } from './helpers/scan-fixture.js';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { Metadata } from '../src/metadata/metadata.js';
import { vulndbState } from '../src/metadata/vulndb.repository.js';
import type { OsvRecord } from '../src/scanning/osv.js';
import { advisoriesFor } from '../src/scanning/vulndb/advisories.js';
import { importOsv, type ImportProgress, type ImportWarning } from '../src/scanning/vulndb/import-osv.js';
import { generatedRecord, osvRecord } from './helpers/osv-records.js';
import { openTestMetadata } from './helpers/test-database.js';
import { ZipWriter, writeZip } from './helpers/zip-writer.js';

const FIXTURES = `${SCAN_FIXTURE}/osv`;
const FIXTURE_FILES = ['DEBIAN-CVE-2025-15661', 'DEBIAN-CVE-2025-48060', 'DEBIAN-CVE-2025-6020', 'DEBIAN-CVE-2026-111497', 'DEBIAN-CVE-2026-32316', 'DEBIAN-CVE-2026-32597', 'DEBIAN-CVE-2026-34743', 'DEBIAN-CVE-2026-41989', 'DEBIAN-CVE-2026-6766-deb11-fixture', 'DEBIAN-CVE-2026-6766', 'DEBIAN-CVE-2026-96889', 'GHSA-35jh-r3h4-6jhm', 'GHSA-c2qf-rxjj-qqgw', 'GHSA-j8r2-6x86-q33q', 'PYSEC-FIXTURE-PYJWT'];

async function metadataFor(t: TestContext): Promise<Metadata> {
  const metadata = await openTestMetadata();
  t.after(() => metadata.close());
  return metadata;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-vulndb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const ids = (records: OsvRecord[]) => records.map((r) => r.id);
const json = (value: unknown) => JSON.stringify(value, null, 1);
const fixture = (id: string) => JSON.parse(readFileSync(path.join(FIXTURES, `${id}.json`), 'utf8')) as OsvRecord;

describe('the offline vulnerability database', () => {
  test('imports the fixture directory and looks advisories up by ecosystem and package name', async (t) => {
    const metadata = await metadataFor(t);
    const result = await importOsv(metadata, FIXTURES);
    assert.deepEqual(result, { records: 15, added: 15, updated: 0, unchanged: 0, skipped: 0, generation: 1 });

    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'Debian:12', ['jq', 'nss'])), ['DEBIAN-CVE-2025-48060', 'DEBIAN-CVE-2026-32316', 'DEBIAN-CVE-2026-6766']);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'Debian:11', ['nss'])), ['DEBIAN-CVE-2026-6766-deb11-fixture']);
    // GHSA-c2qf lists semver three times (three ranges): found once.
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'npm', ['semver'])), ['GHSA-c2qf-rxjj-qqgw']);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'PyPI', ['requests', 'pyjwt'])), ['GHSA-j8r2-6x86-q33q', 'PYSEC-FIXTURE-PYJWT']);
    // PEP 503: the record says PyJWT; any spelling of the same project finds it.
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'PyPI', ['PyJWT'])), ['PYSEC-FIXTURE-PYJWT']);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'npm', ['jq'])), []);
    assert.deepEqual(await advisoriesFor(metadata.db, 'npm', []), []);
    // The whole record comes back, as imported.
    const [semver] = await advisoriesFor(metadata.db, 'npm', ['semver']);
    assert.deepEqual(semver, fixture('GHSA-c2qf-rxjj-qqgw'));

    const state = await vulndbState(metadata.db);
    assert.equal(state.generation, 1);
    assert.equal(state.records, 15);
    assert.ok(state.importedAt && state.importedAt <= Date.now());
    assert.deepEqual(state.lastImport, { source: FIXTURES, records: 15, added: 15, updated: 0, unchanged: 0, skipped: 0 });

    const again = await importOsv(metadata, FIXTURES);
    assert.deepEqual(again, { records: 15, added: 0, updated: 0, unchanged: 15, skipped: 0, generation: 1 });
    assert.equal((await vulndbState(metadata.db)).generation, 1);
  });

  test('a record with a newer modified time replaces the stored one, packages included; an older one does not', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    await importOsv(metadata, FIXTURES);
    const original = fixture('GHSA-c2qf-rxjj-qqgw');
    const newer = { ...original, modified: '2024-02-01T10:00:00.123456Z', summary: 'moved', affected: [{ package: { ecosystem: 'npm', name: 'semver-fork' } }] };
    writeFileSync(path.join(dir, 'newer.json'), json(newer));
    assert.deepEqual(await importOsv(metadata, path.join(dir, 'newer.json')), { records: 1, added: 0, updated: 1, unchanged: 0, skipped: 0, generation: 2 });
    assert.deepEqual(await advisoriesFor(metadata.db, 'npm', ['semver']), []);
    assert.deepEqual(await advisoriesFor(metadata.db, 'npm', ['semver-fork']), [newer]);

    // Older, or the same time with more precision digits that are smaller: kept as it is.
    writeFileSync(path.join(dir, 'older.json'), json({ ...original, modified: '2024-02-01T10:00:00.123455Z' }));
    assert.deepEqual(await importOsv(metadata, path.join(dir, 'older.json')), { records: 1, added: 0, updated: 0, unchanged: 1, skipped: 0, generation: 2 });
    writeFileSync(path.join(dir, 'older.json'), json(original));
    assert.equal((await importOsv(metadata, path.join(dir, 'older.json'))).unchanged, 1);
    assert.deepEqual(await advisoriesFor(metadata.db, 'npm', ['semver-fork']), [newer]);
    // Same time, other offset: the same instant, unchanged.
    writeFileSync(path.join(dir, 'newer.json'), json({ ...newer, modified: '2024-02-01T12:00:00.123456+02:00', summary: 'ignored' }));
    assert.equal((await importOsv(metadata, path.join(dir, 'newer.json'))).unchanged, 1);
    assert.equal((await vulndbState(metadata.db)).generation, 2);
  });

  test('a withdrawn record matches nothing', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    writeFileSync(path.join(dir, 'a.json'), json(osvRecord('GHSA-live', 'npm', 'left-pad')));
    writeFileSync(path.join(dir, 'b.json'), json(osvRecord('GHSA-gone', 'npm', 'left-pad', { withdrawn: '2024-03-01T00:00:00Z' })));
    assert.equal((await importOsv(metadata, dir)).added, 2);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'npm', ['left-pad'])), ['GHSA-live']);
  });

  test('imports a per-ecosystem all.zip and a combined one of several ecosystems', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    const npmZip = path.join(dir, 'npm-all.zip');
    writeZip(npmZip, ['GHSA-35jh-r3h4-6jhm', 'GHSA-c2qf-rxjj-qqgw'].map((id) => [`${id}.json`, readFileSync(path.join(FIXTURES, `${id}.json`))]));
    assert.deepEqual(await importOsv(metadata, npmZip), { records: 2, added: 2, updated: 0, unchanged: 0, skipped: 0, generation: 1 });
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'npm', ['lodash', 'semver'])), ['GHSA-35jh-r3h4-6jhm', 'GHSA-c2qf-rxjj-qqgw']);

    const combined = path.join(dir, 'all.zip');
    const zip = new ZipWriter(combined);
    for (const id of FIXTURE_FILES) zip.add(`${id}.json`, readFileSync(path.join(FIXTURES, `${id}.json`)));
    zip.add('ALPINE-CVE-2024-0001.json', json(osvRecord('ALPINE-CVE-2024-0001', 'Alpine:v3.19', 'openssl')), { store: true });
    zip.add('GO-2024-0002.json', json(osvRecord('GO-2024-0002', 'Go', 'golang.org/x/net')));
    zip.close();
    const progress: ImportProgress[] = [];
    const result = await importOsv(metadata, combined, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(result, { records: 17, added: 15, updated: 0, unchanged: 2, skipped: 0, generation: 2 });
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'Alpine:v3.19', ['openssl'])), ['ALPINE-CVE-2024-0001']);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'Go', ['golang.org/x/net'])), ['GO-2024-0002']);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'Debian:12', ['jq'])), ['DEBIAN-CVE-2025-48060', 'DEBIAN-CVE-2026-32316']);
    // The last report: everything read, of the zip's compressed size.
    assert.deepEqual(progress.at(-1), { files: 17, records: 17, bytes: statSync(combined).size, totalBytes: statSync(combined).size });
    assert.equal((await vulndbState(metadata.db)).records, 17);
  });

  test('skips what is not a record, naming the file, and imports the rest', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    mkdirSync(path.join(dir, 'nested', 'deeper'), { recursive: true });
    copyFileSync(path.join(FIXTURES, 'GHSA-35jh-r3h4-6jhm.json'), path.join(dir, 'nested', 'deeper', 'GHSA-35jh-r3h4-6jhm.json'));
    writeFileSync(path.join(dir, 'broken.json'), '{"id": "GHSA-half", "affected": [');
    writeFileSync(path.join(dir, 'no-id.json'), json({ modified: '2024-01-01T00:00:00Z', affected: [] }));
    writeFileSync(path.join(dir, 'nested', 'no-affected.json'), json({ id: 'GHSA-none', modified: '2024-01-01T00:00:00Z' }));
    writeFileSync(path.join(dir, 'list.json'), '[1, 2]');
    writeFileSync(path.join(dir, 'README.md'), 'not JSON, not a .json file: ignored');
    const warnings: ImportWarning[] = [];
    const result = await importOsv(metadata, dir, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual(result, { records: 1, added: 1, updated: 0, unchanged: 0, skipped: 4, generation: 1 });
    const byFile = Object.fromEntries(warnings.map((w) => [path.relative(dir, w.file), w.message]));
    assert.deepEqual(Object.keys(byFile).sort(), ['broken.json', 'list.json', path.join('nested', 'no-affected.json'), 'no-id.json']);
    assert.match(byFile['broken.json']!, /invalid JSON/);
    assert.match(byFile['no-id.json']!, /no id/);
    assert.match(byFile[path.join('nested', 'no-affected.json')]!, /GHSA-none: no "affected" list/);
  });

  test('a zip entry past the size limit is skipped without being inflated (zip bomb guard), also when its header lies', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    const file = path.join(dir, 'all.zip');
    const padded = (id: string, bytes: number) => `{"id":"${id}","modified":"2024-01-01T00:00:00Z","affected":[]${' '.repeat(bytes)}}`;
    const zip = new ZipWriter(file);
    zip.add('BIG-1.json', padded('BIG-1', 17 * 1024 * 1024));
    zip.add('LIAR-1.json', padded('LIAR-1', 17 * 1024 * 1024), { declaredSize: 100 });
    zip.add('OK-1.json', json(osvRecord('OK-1', 'npm', 'ok')));
    zip.add('notes.txt', 'not a record, not counted');
    zip.close();
    assert.ok(statSync(file).size < 1024 * 1024, 'the big entries deflate to little');
    const warnings: ImportWarning[] = [];
    const result = await importOsv(metadata, file, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual(result, { records: 1, added: 1, updated: 0, unchanged: 0, skipped: 2, generation: 1 });
    assert.deepEqual(warnings.map((w) => w.file), ['BIG-1.json', 'LIAR-1.json']);
    assert.match(warnings[0]!.message, /larger than a record may be/);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'npm', ['ok'])), ['OK-1']);

    // A lower limit applies to plain files too.
    writeFileSync(path.join(dir, 'record.json'), padded('BIG-2', 2000));
    assert.equal((await importOsv(metadata, path.join(dir, 'record.json'), { maxRecordBytes: 1000 })).skipped, 1);
  });

  test('a path that is no directory, zip or JSON file is refused with a clear message', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    writeFileSync(path.join(dir, 'records.txt'), '{}');
    writeFileSync(path.join(dir, 'download.zip'), '<html>not found</html>');
    await assert.rejects(importOsv(metadata, path.join(dir, 'records.txt')), /records\.txt: not a directory of OSV records, a zip of them \(all\.zip\) or one \.json record/);
    await assert.rejects(importOsv(metadata, path.join(dir, 'download.zip')), /download\.zip: not a zip file/);
    await assert.rejects(importOsv(metadata, path.join(dir, 'missing')), /missing: no such file or directory/);
    writeFileSync(path.join(dir, 'cut.zip'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]));
    await assert.rejects(importOsv(metadata, path.join(dir, 'cut.zip')), /cut\.zip: not a readable zip file/);
    assert.equal((await vulndbState(metadata.db)).generation, 0);
  });

  test('a 5,000-record zip is written in transactions of the batch size, with progress as it goes', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    const file = path.join(dir, 'all.zip');
    const zip = new ZipWriter(file);
    for (let i = 0; i < 5000; i++) zip.add(`GEN-${i}.json`, JSON.stringify(generatedRecord(i)));
    zip.close();
    let transactions = 0;
    const counted: Metadata = { ...metadata, transaction: (work) => (transactions++, metadata.transaction(work)) };
    const progress: ImportProgress[] = [];
    const result = await importOsv(counted, file, { batchSize: 500, progressIntervalMs: 0, onProgress: (p) => progress.push(p) });
    assert.deepEqual(result, { records: 5000, added: 5000, updated: 0, unchanged: 0, skipped: 0, generation: 1 });
    assert.equal(transactions, 10 + 1, 'ten batches, then the state');
    assert.equal(progress.length, 5000 + 1);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.bytes >= progress[i - 1]!.bytes && progress[i]!.records >= progress[i - 1]!.records);
    assert.equal(progress.at(-1)!.bytes, statSync(file).size);
    assert.deepEqual(ids(await advisoriesFor(metadata.db, 'npm', ['package-1', 'package-7'])), ['GEN-0000001', 'GEN-0000007']);

    // By default, a few reports a second at most.
    const throttled: ImportProgress[] = [];
    const started = performance.now();
    const again = await importOsv(metadata, file, { onProgress: (p) => throttled.push(p) });
    assert.equal(again.unchanged, 5000);
    assert.ok(throttled.length <= (performance.now() - started) / 250 + 2, `${throttled.length} reports`);
  });

  test('an import stopped half way is finished by the next, which then counts as a change even if it adds nothing', async (t) => {
    const metadata = await metadataFor(t);
    const dir = tempDir(t);
    const stop = new AbortController();
    const stopped = importOsv(metadata, FIXTURES, { batchSize: 5, progressIntervalMs: 0, signal: stop.signal, onProgress: (p) => p.files === 12 && stop.abort() });
    await assert.rejects(stopped, { name: 'AbortError' });
    assert.equal((await vulndbState(metadata.db)).generation, 0);
    const stored = await metadata.db.selectFrom('vuln_records').select('id').execute();
    assert.equal(stored.length, 10, 'two batches of five were written');
    for (const { id } of stored) copyFileSync(path.join(FIXTURES, `${id}.json`), path.join(dir, `${id}.json`));
    assert.deepEqual(await importOsv(metadata, dir), { records: 10, added: 0, updated: 0, unchanged: 10, skipped: 0, generation: 1 });
  });

  test('one import at a time', async (t) => {
    const metadata = await metadataFor(t);
    const results = await Promise.allSettled([importOsv(metadata, FIXTURES), importOsv(metadata, FIXTURES)]);
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(refused.length, 1);
    assert.match(String((refused[0] as PromiseRejectedResult).reason), /another vulnerability database import is running/);
  });
});
