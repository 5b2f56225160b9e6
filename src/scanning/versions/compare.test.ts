import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, schemeForEcosystem } from './compare.js';

test('compareVersions dispatches to the scheme: one pair, five answers', () => {
  // 1.0~rc1 vs 1.0: a pre-release in dpkg and rpm (tilde); plain text after the number elsewhere.
  assert.ok(compareVersions('dpkg', '1.0~rc1', '1.0') < 0);
  assert.ok(compareVersions('rpm', '1.0~rc1', '1.0') < 0);
  assert.ok(compareVersions('dpkg', '1.0-1', '1:0.1-1') < 0, 'dpkg epochs');
  assert.ok(compareVersions('apk', '1.0_rc1-r0', '1.0-r0') < 0);
  assert.ok(compareVersions('semver', '1.0.0-rc.1', '1.0.0') < 0);
  assert.ok(compareVersions('pep440', '1.0rc1', '1.0') < 0);
  assert.equal(compareVersions('pep440', '1.0', '1.0.0'), 0);
  assert.ok(compareVersions('dpkg', '1.0', '1.0.0') < 0, 'dpkg has no implicit zeros');
  assert.ok(compareVersions('apk', '1.2', '1.2.0') < 0, 'nor has apk');
});

test('schemeForEcosystem maps OSV ecosystems, with or without their release suffix', () => {
  const cases: readonly (readonly [string, string | undefined])[] = [
    ['Debian:12', 'dpkg'],
    ['Debian', 'dpkg'],
    ['Ubuntu:22.04:LTS', 'dpkg'],
    ['Ubuntu:Pro:18.04:LTS', 'dpkg'],
    ['Alpine:v3.18', 'apk'],
    ['Wolfi', 'apk'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['Rocky Linux:9', 'rpm'],
    ['AlmaLinux:9', 'rpm'],
    ['openSUSE:Leap 15.5', 'rpm'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['npm', 'semver'],
    ['Go', 'semver'],
    ['crates.io', 'semver'],
    ['PyPI', 'pep440'],
    ['Maven', undefined],
    ['RubyGems', undefined],
    ['debian:12', undefined],
    ['', undefined],
  ];
  for (const [ecosystem, scheme] of cases) assert.equal(schemeForEcosystem(ecosystem), scheme, ecosystem);
});
