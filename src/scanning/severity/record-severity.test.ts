import { SCAN_FIXTURE } from '../layers/test-suite-layers.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { OsvAffected, OsvRecord, OsvSeverity } from '../osv.js';
import { debianUrgency, githubSeverity, severityOfRecord, ubuntuPriority } from './record-severity.js';

const FIXTURES = `${SCAN_FIXTURE}/osv`;

function record(overrides: Partial<OsvRecord> = {}): OsvRecord {
  return { id: 'TEST-1', modified: '2024-01-01T00:00:00Z', ...overrides };
}
const cvss3 = (score: string): OsvSeverity => ({ type: 'CVSS_V3', score });
const debian = (urgency: string): OsvAffected => ({ package: { ecosystem: 'Debian:12', name: 'pkg' }, ecosystem_specific: { urgency } });

test('the highest CVSS v3 score of the record and the entry wins, with its vector', () => {
  const low = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L';
  const critical = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  assert.deepEqual(severityOfRecord(record({ severity: [cvss3(low), cvss3(critical)] })), { severity: 'CRITICAL', score: 9.8, vector: critical, source: 'CVSS_V3' });
  const entry: OsvAffected = { severity: [cvss3(critical)] };
  assert.deepEqual(severityOfRecord(record({ severity: [cvss3(low)] }), entry), { severity: 'CRITICAL', score: 9.8, vector: critical, source: 'CVSS_V3' });
  assert.deepEqual(severityOfRecord(record({ affected: [entry] })), { severity: 'CRITICAL', score: 9.8, vector: critical, source: 'CVSS_V3' }, 'without an entry, every entry counts');
  assert.deepEqual(severityOfRecord(record({ affected: [entry] }), {}), { severity: 'UNDEFINED', source: 'none' }, 'with an entry, only that one');
});

test('CVSS beats the database rating; v3 beats v2; v2 is rated on its own scale', () => {
  const r = record({ severity: [cvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L')], database_specific: { severity: 'CRITICAL' } });
  assert.equal(severityOfRecord(r).severity, 'MEDIUM');
  const both = record({ severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' }, cvss3('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H')] });
  assert.deepEqual(severityOfRecord(both), { severity: 'MEDIUM', score: 5.5, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', source: 'CVSS_V3' });
  const v2 = record({ severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' }] });
  assert.deepEqual(severityOfRecord(v2), { severity: 'HIGH', score: 10, vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', source: 'CVSS_V2' });
});

test('a vector that cannot be scored (CVSS v4, malformed) falls through to the rating', () => {
  const r = record({
    severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }, cvss3('CVSS:3.1/AV:N')],
    database_specific: { severity: 'HIGH' },
  });
  assert.deepEqual(severityOfRecord(r), { severity: 'HIGH', source: 'database_specific.severity' });
});

test("GitHub's levels: MODERATE is MEDIUM", () => {
  for (const [value, severity] of [['CRITICAL', 'CRITICAL'], ['HIGH', 'HIGH'], ['MODERATE', 'MEDIUM'], ['LOW', 'LOW'], ['moderate', 'MEDIUM']] as const) {
    assert.deepEqual(severityOfRecord(record({ database_specific: { severity: value } })), { severity, source: 'database_specific.severity' });
  }
  assert.equal(githubSeverity('UNKNOWN'), undefined);
  assert.equal(githubSeverity(3), undefined);
  assert.equal(githubSeverity('constructor'), undefined);
});

test("Debian's urgencies, with the tracker's * and ** marks", () => {
  const cases: readonly (readonly [string, string])[] = [
    ['unimportant', 'INFORMATIONAL'],
    ['low', 'LOW'],
    ['low*', 'LOW'],
    ['low**', 'LOW'],
    ['medium', 'MEDIUM'],
    ['medium**', 'MEDIUM'],
    ['high', 'HIGH'],
    ['high*', 'HIGH'],
    ['not yet assigned', 'UNDEFINED'],
    ['end-of-life', 'UNDEFINED'],
  ];
  for (const [urgency, severity] of cases) {
    assert.equal(debianUrgency(urgency), severity, urgency);
    assert.deepEqual(severityOfRecord(record({ affected: [debian(urgency)] })), { severity, source: 'ecosystem_specific.urgency' }, urgency);
  }
  assert.equal(debianUrgency('constructor'), undefined);
  // Entries that disagree: the most severe; with one entry given, that entry's.
  const r = record({ affected: [debian('low'), debian('high'), debian('not yet assigned')] });
  assert.equal(severityOfRecord(r).severity, 'HIGH');
  assert.equal(severityOfRecord(r, r.affected![0]).severity, 'LOW');
});

test("Ubuntu's priorities", () => {
  for (const [priority, severity] of [['negligible', 'INFORMATIONAL'], ['low', 'LOW'], ['medium', 'MEDIUM'], ['high', 'HIGH'], ['critical', 'CRITICAL'], ['untriaged', 'UNDEFINED']] as const) {
    assert.equal(ubuntuPriority(priority), severity);
    assert.deepEqual(severityOfRecord(record({ severity: [{ type: 'Ubuntu', score: priority }] })), { severity, source: 'Ubuntu' });
  }
});

test('a rating that says nothing gives way to one that does; with none at all, UNDEFINED', () => {
  const r = record({ severity: [{ type: 'Ubuntu', score: 'medium' }], affected: [debian('not yet assigned')] });
  assert.deepEqual(severityOfRecord(r), { severity: 'MEDIUM', source: 'Ubuntu' });
  assert.deepEqual(severityOfRecord(record({ affected: [debian('not yet assigned')] })), { severity: 'UNDEFINED', source: 'ecosystem_specific.urgency' });
  assert.deepEqual(severityOfRecord(record()), { severity: 'UNDEFINED', source: 'none' });
  assert.deepEqual(severityOfRecord(record({ database_specific: { severity: 'serious' } })), { severity: 'UNDEFINED', source: 'none' });
});

test('the scan fixture records', (t) => {
  if (!existsSync(FIXTURES)) {
    t.skip(`${FIXTURES} is not present on this machine`);
    return;
  }
  const load = (id: string) => JSON.parse(readFileSync(path.join(FIXTURES, `${id}.json`), 'utf8')) as OsvRecord;
  const cases: readonly (readonly [string, object])[] = [
    ['GHSA-c2qf-rxjj-qqgw', { severity: 'MEDIUM', score: 5.3, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', source: 'CVSS_V3' }],
    ['GHSA-j8r2-6x86-q33q', { severity: 'MEDIUM', score: 6.1, vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', source: 'CVSS_V3' }],
    ['GHSA-35jh-r3h4-6jhm', { severity: 'HIGH', score: 7.2, vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', source: 'CVSS_V3' }],
    ['DEBIAN-CVE-2026-32316', { severity: 'HIGH', source: 'ecosystem_specific.urgency' }],
    ['DEBIAN-CVE-2026-111497', { severity: 'MEDIUM', source: 'ecosystem_specific.urgency' }],
    ['DEBIAN-CVE-2025-48060', { severity: 'UNDEFINED', source: 'ecosystem_specific.urgency' }],
    ['PYSEC-FIXTURE-PYJWT', { severity: 'UNDEFINED', source: 'none' }],
  ];
  for (const [id, expected] of cases) assert.deepEqual(severityOfRecord(load(id)), expected, id);
});
