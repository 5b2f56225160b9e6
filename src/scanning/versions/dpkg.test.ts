import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { compareDpkg, parseDpkgVersion } from './dpkg.js';

/** [older, newer] pairs, or [a, b, 0] for versions dpkg holds equal. */
const PAIRS: readonly (readonly [string, string] | readonly [string, string, 0])[] = [
  ['2.54.7+dfsg-1~deb12u1', '2.54.7+dfsg-1~deb12u2'],
  ['2.54.7+dfsg-1~deb12u2', '2.54.7+dfsg-1'],
  ['1.10.0-3', '1.10.0-3+b1'],
  ['1.10.0-3+b1', '1.10.0-3+deb12u1'],
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0~', '1.0'],
  ['1.0~rc1', '1.0~rc2'],
  ['1.0~beta', '1.0~rc'],
  ['2:3.87.1-1+deb12u2', '2:3.87.1-1+deb12u3'],
  ['9.9-1', '1:0.1-1'],
  ['1:9.2p1-2+deb12u3', '2:1.0-1'],
  ['1.6-2.1', '1.6-2.1+deb12u1'],
  ['1.6-2.1+deb12u1', '1.6-2.1+deb12u2'],
  ['1.5.2-6+deb12u1', '1.5.2-6+deb12u2'],
  ['5.4.1-1', '5.4.1-1+deb12u1'],
  ['1.0.9-2+b6', '1.0.9-2+deb12u1'],
  ['1.9', '1.10'],
  ['1.0', '1.0.1'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0b'],
  ['1.0a', '1.0+'],
  ['1.0+', '1.0.'],
  ['1.0-1', '1.0-1.1'],
  ['1.0-9', '1.0-10'],
  ['1.0-1', '1.0a-1'],
  ['1.0-1', '1.0.0-1'],
  ['7.88.1-10+deb12u7', '7.88.1-10+deb12u8'],
  ['2024a-0+deb12u1', '2025b-0+deb12u1'],
  ['0.0~git20230123.b2528b0-1', '0.1~+svn49-11'],
  ['0~20171227-0.3+deb12u1', '0.0.17+nmu1'],
  ['1.13.4~dfsg+~1.11.4-3', '1.13.4-1'],
  ['3.0.15-1~deb12u1', '3.0.15-1'],
  ['252.33-1~deb12u1', '252.33-1'],
  ['12.4+deb12u8', '12.4+deb12u9'],
  ['2.36-9+deb12u9', '2.36-9+deb12u10'],
  ['1.2.13.1-1', '1.2.13.dfsg-1'],
  ['1.0-1', '1.0-1-1'],
  ['0.99999999999999999999', '0.100000000000000000000'],
  ['1.0', '1.0-0', 0],
  ['1.0', '0:1.0', 0],
  ['01.002-03', '1.2-3', 0],
  ['2:3.87.1-1+deb12u3', '2:3.87.1-1+deb12u3', 0],
];

test('dpkg: every pair of the table orders as Debian Policy 5.6.12 says, both ways round', () => {
  for (const [a, b, eq] of PAIRS) {
    if (eq === 0) {
      assert.equal(compareDpkg(a, b), 0, `${a} = ${b}`);
      assert.equal(compareDpkg(b, a), 0, `${b} = ${a}`);
    } else {
      assert.ok(compareDpkg(a, b) < 0, `${a} < ${b}`);
      assert.ok(compareDpkg(b, a) > 0, `${b} > ${a}`);
    }
  }
});

test('dpkg: the epoch is a number before the first colon, the revision follows the last hyphen', () => {
  assert.deepEqual(parseDpkgVersion('2:3.87.1-1+deb12u3'), { epoch: '2', upstream: '3.87.1', revision: '1+deb12u3' });
  assert.deepEqual(parseDpkgVersion('1.13.4~dfsg+~1.11.4-3'), { epoch: '0', upstream: '1.13.4~dfsg+~1.11.4', revision: '3' });
  assert.deepEqual(parseDpkgVersion('1:2.0-rc1-2'), { epoch: '1', upstream: '2.0-rc1', revision: '2' });
  assert.deepEqual(parseDpkgVersion('12.4+deb12u9'), { epoch: '0', upstream: '12.4+deb12u9', revision: '' });
});

test('dpkg: malformed versions compare without throwing', () => {
  for (const v of ['', ':', '-', 'a:1', '1:', ':1', '~', '1.0-', 'ä1']) {
    assert.equal(typeof compareDpkg(v, '1.0-1'), 'number');
    assert.equal(compareDpkg(v, v), 0);
  }
});

// Real bookworm versions (from the archive and the scan fixture), chosen for epochs, tildes, binNMUs,
// security suffixes, native packages and long numeric runs.
const REAL = [
  '2:3.87.1-1+deb12u2', '2:3.87.1-1+deb12u3', '2:3.87.1-1', '1:9.2p1-2+deb12u3', '1:2.38.1-5+deb12u3', '1:4.13+dfsg1-1+b1',
  '1:1.2.13.dfsg-1', '2.54.7+dfsg-1~deb12u1', '2.54.7+dfsg-1~deb12u2', '2.54.7+dfsg-1', '2.54.7-1', '1.10.0-3',
  '1.10.0-3+b1', '1.10.0-3+deb12u1', '1.6-2.1', '1.6-2.1+deb12u1', '1.6-2.1+deb12u2', '1.0.9-2+b6', '1.0.9-2+deb12u1',
  '5.4.1-1', '5.4.1-1+deb12u1', '1.5.2-6+deb12u1', '1.5.2-6+deb12u2', '3.0.15-1~deb12u1', '3.0.15-1', '3.0.11-1~deb12u2',
  '252.33-1~deb12u1', '7.88.1-10+deb12u8', '2.36-9+deb12u9', '12.4+deb12u9', '2024a-0+deb12u1', '0.0~git20230123.b2528b0-1',
  '0.1~+svn49-11', '0~20171227-0.3+deb12u1', '1.13.4~dfsg+~1.11.4-3', '0.99.30-4.1~deb12u1', '1.0~rc1-1', '1.0-1', '1.0a-1',
];

test('dpkg: agrees with dpkg --compare-versions on every pair of real Debian versions', (t) => {
  if (!existsSync('/usr/bin/dpkg')) {
    t.skip('/usr/bin/dpkg is not installed here, so there is no reference to compare with');
    return;
  }
  const pairs: [string, string][] = [];
  for (const a of REAL) for (const b of REAL) if (a !== b) pairs.push([a, b]);
  // One shell runs every `dpkg --compare-versions A lt B`; it prints 1 (lt) or 0 a line.
  const script = 'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo 1; else echo 0; fi; done';
  const run = spawnSync('sh', ['-c', script], { input: pairs.map(([a, b]) => `${a} ${b}\n`).join(''), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const answers = run.stdout.trim().split('\n');
  assert.equal(answers.length, pairs.length);
  const wrong = pairs.filter(([a, b], i) => (compareDpkg(a, b) < 0) !== (answers[i] === '1')).map(([a, b]) => `${a} lt ${b}`);
  assert.deepEqual(wrong, []);
  assert.ok(pairs.length >= 300, `${pairs.length} pairs checked`);
});
