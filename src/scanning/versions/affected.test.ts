import { SCAN_FIXTURE } from '../layers/test-suite-layers.js';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from '../osv.js';
import { affectedBy, evaluateAffected, normalizePypiName } from './affected.js';

const FIXTURES = `${SCAN_FIXTURE}/osv`;

const range = (type: OsvRange['type'], ...events: OsvEvent[]): OsvRange => ({ type, events });
const entry = (...ranges: OsvRange[]): OsvAffected => ({ package: { ecosystem: 'npm', name: 'pkg' }, ranges });

test('introduced and fixed: affected from the introduced version up to, not including, the fix', () => {
  const a = entry(range('ECOSYSTEM', { introduced: '1.0.0' }, { fixed: '1.0.2' }));
  assert.deepEqual(evaluateAffected(a, '0.9.9', 'semver'), { affected: false });
  assert.deepEqual(evaluateAffected(a, '1.0.0', 'semver'), { affected: true, fixedIn: '1.0.2' });
  assert.deepEqual(evaluateAffected(a, '1.0.1', 'semver'), { affected: true, fixedIn: '1.0.2' });
  assert.deepEqual(evaluateAffected(a, '1.0.2-rc.1', 'semver'), { affected: true, fixedIn: '1.0.2' }, 'a pre-release of the fix');
  assert.deepEqual(evaluateAffected(a, '1.0.2', 'semver'), { affected: false }, 'the fixed version itself is not affected');
  assert.deepEqual(evaluateAffected(a, '2.0.0', 'semver'), { affected: false });
});

test('introduced "0" sorts before every version; without a fix every later version is affected', () => {
  const fixed = entry(range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.6-2.1+deb12u2' }));
  assert.deepEqual(evaluateAffected(fixed, '0~20171227-1', 'dpkg'), { affected: true, fixedIn: '1.6-2.1+deb12u2' });
  assert.deepEqual(evaluateAffected(fixed, '1.6-2.1+deb12u1', 'dpkg'), { affected: true, fixedIn: '1.6-2.1+deb12u2' });
  assert.deepEqual(evaluateAffected(fixed, '1.6-2.1+deb12u2', 'dpkg'), { affected: false });
  const unfixed = entry(range('ECOSYSTEM', { introduced: '0' }));
  assert.deepEqual(evaluateAffected(unfixed, '99:1.0-1', 'dpkg'), { affected: true });
  // "0" is special only in introduced; as a Debian version 0 is still below 0~ nothing else.
  assert.deepEqual(evaluateAffected(entry(range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.0' })), '0~~', 'dpkg'), { affected: true, fixedIn: '1.0' });
});

test('last_affected: affected up to and including it, with no version to upgrade to', () => {
  const a = entry(range('ECOSYSTEM', { introduced: '1.0' }, { last_affected: '1.5' }));
  assert.deepEqual(evaluateAffected(a, '1.0', 'pep440'), { affected: true });
  assert.deepEqual(evaluateAffected(a, '1.5', 'pep440'), { affected: true });
  assert.deepEqual(evaluateAffected(a, '1.5.0', 'pep440'), { affected: true }, '1.5.0 == 1.5 in PEP 440');
  assert.deepEqual(evaluateAffected(a, '1.5.post1', 'pep440'), { affected: false });
  assert.deepEqual(evaluateAffected(a, '0.9', 'pep440'), { affected: false });
});

test('limit: versions at or above every limit are outside the range; "*" is infinity', () => {
  const a = entry(range('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '2.0.0' }));
  assert.deepEqual(evaluateAffected(a, '1.9.9', 'semver'), { affected: true });
  assert.deepEqual(evaluateAffected(a, '2.0.0', 'semver'), { affected: false });
  assert.deepEqual(evaluateAffected(a, '3.0.0', 'semver'), { affected: false });
  const star = entry(range('ECOSYSTEM', { introduced: '1.0.0' }, { limit: '*' }));
  assert.deepEqual(evaluateAffected(star, '999.0.0', 'semver'), { affected: true });
  const two = entry(range('ECOSYSTEM', { introduced: '0' }, { limit: '1.0.0' }, { limit: '3.0.0' }));
  assert.deepEqual(evaluateAffected(two, '2.0.0', 'semver'), { affected: true }, 'below one of the limits is enough');
  assert.deepEqual(evaluateAffected(two, '3.0.0', 'semver'), { affected: false });
});

test('the versions list: a listed version is affected even with no range', () => {
  const a: OsvAffected = { package: { ecosystem: 'PyPI', name: 'x' }, versions: ['1.2.3', '1.2.4'] };
  assert.deepEqual(evaluateAffected(a, '1.2.3', 'pep440'), { affected: true });
  assert.deepEqual(evaluateAffected(a, '1.2.4.0', 'pep440'), { affected: true }, 'equal under the scheme counts');
  assert.deepEqual(evaluateAffected(a, '1.2.5', 'pep440'), { affected: false });
  const git: OsvAffected = { ranges: [range('GIT', { introduced: '0' }, { fixed: 'a'.repeat(40) })], versions: ['v2.1.0'] };
  assert.deepEqual(evaluateAffected(git, '2.0.0', 'semver'), { affected: false }, 'GIT ranges are skipped');
  assert.deepEqual(evaluateAffected(git, '2.1.0', 'semver'), { affected: true });
});

test('several ranges, and several introduced/fixed pairs in one range, answer the fix of the matching one', () => {
  const pairs = range('ECOSYSTEM', { introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' });
  for (const a of [entry(pairs), entry(range('ECOSYSTEM', { introduced: '1.0.0' }, { fixed: '1.0.2' }), range('ECOSYSTEM', { introduced: '3.0.0' }, { fixed: '3.2.5' }))]) {
    assert.deepEqual(evaluateAffected(a, '1.0.1', 'semver'), { affected: true, fixedIn: '1.0.2' });
    assert.deepEqual(evaluateAffected(a, '2.0.0', 'semver'), { affected: false });
    assert.deepEqual(evaluateAffected(a, '3.1.0', 'semver'), { affected: true, fixedIn: '3.2.5' });
    assert.deepEqual(evaluateAffected(a, '3.2.5', 'semver'), { affected: false });
  }
});

test('events are sorted by version before the walk, whatever order the record lists them in', () => {
  const a = entry(range('ECOSYSTEM', { fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' }));
  assert.deepEqual(evaluateAffected(a, '1.0.1', 'semver'), { affected: true, fixedIn: '1.0.2' });
  assert.deepEqual(evaluateAffected(a, '2.0.0', 'semver'), { affected: false });
  assert.deepEqual(evaluateAffected(a, '3.0.0', 'semver'), { affected: true, fixedIn: '3.2.5' });
  const zeroLast = entry(range('ECOSYSTEM', { fixed: '2.0' }, { introduced: '0' }));
  assert.deepEqual(evaluateAffected(zeroLast, '1.0', 'dpkg'), { affected: true, fixedIn: '2.0' });
  assert.deepEqual(evaluateAffected(zeroLast, '2.0', 'dpkg'), { affected: false });
});

test('ranges compare under their own ordering: ECOSYSTEM under the scheme, SEMVER always as SemVer', () => {
  // Under dpkg "1.0.0-rc.1" is upstream 1.0.0, revision rc.1: newer than 1.0.0. Under SemVer it is older.
  const semverRange = entry(range('SEMVER', { introduced: '0' }, { fixed: '1.0.0' }));
  const ecosystemRange = entry(range('ECOSYSTEM', { introduced: '0' }, { fixed: '1.0.0' }));
  assert.deepEqual(evaluateAffected(semverRange, '1.0.0-rc.1', 'dpkg'), { affected: true, fixedIn: '1.0.0' });
  assert.deepEqual(evaluateAffected(ecosystemRange, '1.0.0-rc.1', 'dpkg'), { affected: false });
  // The tilde is what makes the difference for librsvg in the fixture.
  const tilde = entry(range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.54.7+dfsg-1~deb12u2' }));
  assert.deepEqual(evaluateAffected(tilde, '2.54.7+dfsg-1~deb12u1', 'dpkg'), { affected: true, fixedIn: '2.54.7+dfsg-1~deb12u2' });
  assert.deepEqual(evaluateAffected(tilde, '2.54.7+dfsg-1', 'dpkg'), { affected: false });
});

test('fixedIn skips a fix that another range still covers', () => {
  // Overlapping ranges (as merged advisories can be): 2.0 fixes the first but lies in the second.
  const a = entry(range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0.0' }), range('ECOSYSTEM', { introduced: '1.5.0' }, { fixed: '2.5.0' }));
  assert.deepEqual(evaluateAffected(a, '1.6.0', 'semver'), { affected: true, fixedIn: '2.5.0' });
  assert.deepEqual(evaluateAffected(a, '1.0.0', 'semver'), { affected: true, fixedIn: '2.5.0' }, 'upgrading to 2.0.0 would not be enough');
  assert.deepEqual(evaluateAffected(a, '2.0.0', 'semver'), { affected: true, fixedIn: '2.5.0' });
  const noWayOut = entry(range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0.0' }), range('ECOSYSTEM', { introduced: '2.0.0' }));
  assert.deepEqual(evaluateAffected(noWayOut, '1.0.0', 'semver'), { affected: true }, 'no listed fix leaves it unaffected');
});

test('affectedBy: the package must match (ecosystem exactly; PyPI names after PEP 503 normalisation)', () => {
  const record: OsvRecord = {
    id: 'X-1',
    modified: '2024-01-01T00:00:00Z',
    affected: [
      { package: { ecosystem: 'PyPI', name: 'Foo.Bar_baz' }, ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0' })] },
      { package: { ecosystem: 'npm', name: 'Foo' }, ranges: [range('SEMVER', { introduced: '0' }, { fixed: '2.0.0' })] },
    ],
  };
  assert.equal(normalizePypiName('Foo.Bar__baz-.qux'), 'foo-bar-baz-qux');
  assert.deepEqual(affectedBy(record, 'PyPI', 'foo-bar-baz', '1.0'), { affected: true, fixedIn: '2.0' });
  assert.deepEqual(affectedBy(record, 'PyPI', 'FOO_BAR.BAZ', '1.0'), { affected: true, fixedIn: '2.0' });
  assert.deepEqual(affectedBy(record, 'PyPI', 'foobarbaz', '1.0'), { affected: false });
  assert.deepEqual(affectedBy(record, 'npm', 'Foo', '1.0.0'), { affected: true, fixedIn: '2.0.0' });
  assert.deepEqual(affectedBy(record, 'npm', 'foo', '1.0.0'), { affected: false }, 'npm names are exact');
  assert.deepEqual(affectedBy(record, 'pypi', 'foo-bar-baz', '1.0'), { affected: false }, 'the ecosystem is exact');
  assert.deepEqual(affectedBy({ ...record, withdrawn: '2024-02-01T00:00:00Z' }, 'npm', 'Foo', '1.0.0'), { affected: false }, 'withdrawn');
});

test('affectedBy: an ecosystem with no known ordering still matches listed versions and SEMVER ranges', () => {
  const record: OsvRecord = {
    id: 'X-2',
    modified: '2024-01-01T00:00:00Z',
    affected: [
      { package: { ecosystem: 'Maven', name: 'g:a' }, ranges: [range('ECOSYSTEM', { introduced: '0' }, { fixed: '2.0' })], versions: ['1.0'] },
      { package: { ecosystem: 'Maven', name: 'g:b' }, ranges: [range('SEMVER', { introduced: '0' }, { fixed: '2.0.0' })] },
    ],
  };
  assert.deepEqual(affectedBy(record, 'Maven', 'g:a', '1.0'), { affected: true });
  assert.deepEqual(affectedBy(record, 'Maven', 'g:a', '1.1'), { affected: false }, 'the ECOSYSTEM range cannot be evaluated');
  assert.deepEqual(affectedBy(record, 'Maven', 'g:b', '1.5.0'), { affected: true, fixedIn: '2.0.0' });
});

function fixtureRecords(): Map<string, OsvRecord> {
  const records = new Map<string, OsvRecord>();
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as OsvRecord;
    records.set(record.id, record);
  }
  return records;
}

test('the scan fixture: every record against the installed versions of the fixture image', (t) => {
  if (!existsSync(FIXTURES)) {
    t.skip(`${FIXTURES} is not present on this machine`);
    return;
  }
  const records = fixtureRecords();
  // [record, ecosystem, package (the source package for Debian), installed version, expected]
  const cases: readonly (readonly [string, string, string, string, { affected: boolean; fixedIn?: string }])[] = [
    ['DEBIAN-CVE-2026-32316', 'Debian:12', 'jq', '1.6-2.1+deb12u1', { affected: true, fixedIn: '1.6-2.1+deb12u2' }],
    ['DEBIAN-CVE-2025-48060', 'Debian:12', 'jq', '1.6-2.1+deb12u1', { affected: false }],
    ['DEBIAN-CVE-2025-15661', 'Debian:12', 'libssh2', '1.10.0-3', { affected: true, fixedIn: '1.10.0-3+deb12u1' }],
    ['DEBIAN-CVE-2025-15661', 'Debian:12', 'libssh2', '1.10.0-3+b1', { affected: true, fixedIn: '1.10.0-3+deb12u1' }],
    ['DEBIAN-CVE-2026-111497', 'Debian:12', 'brotli', '1.0.9-2', { affected: true, fixedIn: '1.0.9-2+deb12u1' }],
    ['DEBIAN-CVE-2026-6766', 'Debian:12', 'nss', '2:3.87.1-1+deb12u2', { affected: true, fixedIn: '2:3.87.1-1+deb12u3' }],
    ['DEBIAN-CVE-2026-6766-deb11-fixture', 'Debian:12', 'nss', '2:3.87.1-1+deb12u2', { affected: false }],
    ['DEBIAN-CVE-2026-6766-deb11-fixture', 'Debian:11', 'nss', '2:3.87.1-1+deb12u2', { affected: false }],
    ['DEBIAN-CVE-2026-6766-deb11-fixture', 'Debian:11', 'nss', '2:3.68.2-0+deb11u4', { affected: true, fixedIn: '2:3.68.2-0+deb11u5' }],
    ['DEBIAN-CVE-2026-96889', 'Debian:12', 'librsvg', '2.54.7+dfsg-1~deb12u1', { affected: true, fixedIn: '2.54.7+dfsg-1~deb12u2' }],
    ['DEBIAN-CVE-2026-34743', 'Debian:12', 'xz-utils', '5.4.1-1', { affected: true, fixedIn: '5.4.1-1+deb12u1' }],
    ['DEBIAN-CVE-2026-34743', 'Debian:12', 'liblzma5', '5.4.1-1', { affected: false }],
    ['DEBIAN-CVE-2025-6020', 'Debian:12', 'pam', '1.5.2-6+deb12u1', { affected: true, fixedIn: '1.5.2-6+deb12u2' }],
    ['DEBIAN-CVE-2026-32597', 'Debian:12', 'pyjwt', '2.6.0-1', { affected: true, fixedIn: '2.6.0-1+deb12u1' }],
    ['DEBIAN-CVE-2026-41989', 'Debian:12', 'libgcrypt20', '1.10.1-3+deb12u1', { affected: false }],
    ['DEBIAN-CVE-2026-41989', 'Debian:12', 'libgcrypt20', '1.10.1-3', { affected: true, fixedIn: '1.10.1-3+deb12u1' }],
    ['GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', '7.5.1', { affected: true, fixedIn: '7.5.2' }],
    ['GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', '6.3.0', { affected: true, fixedIn: '6.3.1' }],
    ['GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', '5.7.1', { affected: true, fixedIn: '5.7.2' }],
    ['GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', '5.7.2', { affected: false }],
    ['GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', '7.5.2', { affected: false }],
    ['GHSA-c2qf-rxjj-qqgw', 'npm', 'semver', '7.0.0-rc.1', { affected: false }],
    ['GHSA-j8r2-6x86-q33q', 'PyPI', 'requests', '2.28.1', { affected: true, fixedIn: '2.31.0' }],
    ['GHSA-j8r2-6x86-q33q', 'PyPI', 'Requests', '2.31.0', { affected: false }],
    ['GHSA-j8r2-6x86-q33q', 'PyPI', 'requests', '2.2.1', { affected: false }],
    ['GHSA-35jh-r3h4-6jhm', 'npm', 'lodash', '4.17.20', { affected: true, fixedIn: '4.17.21' }],
    ['PYSEC-FIXTURE-PYJWT', 'PyPI', 'pyjwt', '2.6.0', { affected: true, fixedIn: '2.12.0' }],
  ];
  for (const [id, ecosystem, name, version, expected] of cases) {
    const record = records.get(id);
    assert.ok(record, `fixture ${id} exists`);
    assert.deepEqual(affectedBy(record, ecosystem, name, version), expected, `${id} on ${ecosystem} ${name} ${version}`);
  }
});
