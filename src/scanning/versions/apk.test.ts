import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareApk } from './apk.js';

/** Chains of Alpine versions, each strictly older than the next. */
const CHAINS: readonly (readonly string[])[] = [
  // Pre-release suffixes before the release, post-release suffixes after it, in apk's order.
  ['1.2.3_alpha', '1.2.3_alpha1', '1.2.3_beta', '1.2.3_beta2', '1.2.3_pre1', '1.2.3_rc1', '1.2.3_rc2', '1.2.3_rc10', '1.2.3', '1.2.3_cvs', '1.2.3_svn', '1.2.3_git', '1.2.3_hg', '1.2.3_p1', '1.2.3_p2'],
  // Revisions, and what beats a revision at the same place.
  ['1.2.3_rc1-r0', '1.2.3_rc1-r1', '1.2.3-r0', '1.2.3-r1', '1.2.3-r9', '1.2.3-r10', '1.2.3_p1-r0', '1.2.3a-r0', '1.2.3.1-r0', '1.2.4-r0'],
  // A letter suffix, as OpenSSL 1.1.1 used them.
  ['1.1.1s-r0', '1.1.1t-r0', '1.1.1t-r2', '1.1.1u-r0', '1.1.2-r0'],
  ['1.2.3', '1.2.3a', '1.2.3b', '1.2.4'],
  // Real aports versions.
  ['3.0.8-r0', '3.0.8-r1', '3.0.10-r0', '3.1.0-r0', '3.1.4-r6'],
  ['1.36.1-r5', '1.36.1-r15', '1.36.1-r29', '1.37.0-r0'],
  ['6.4_p20230506-r0', '6.4_p20231016-r0', '6.4_p20240420-r0', '6.5_p20241006-r0'],
  ['2.40.0-r5', '2.40.0_git20230401-r1', '2.40.1-r0'],
  ['20230506-r0', '20240226-r0', '20241121-r1'],
  ['1.2.13-r0', '1.2.13-r1', '1.3-r0', '1.3.1-r0'],
  ['8.5.0-r0', '8.9.1-r0', '8.9.1-r1', '8.10.0-r0'],
  // Fewer components are older: 1.2 < 1.2.0; later components with a leading zero compare as fractions.
  ['1.2', '1.2.0', '1.2.0.1'],
  ['1.01', '1.02', '1.1', '1.10'],
  ['1.001', '1.01'],
  // Several suffixes: a further pre-release suffix is older, a further post-release suffix newer.
  ['0.1.0_alpha_pre2', '0.1.0_alpha', '0.1.0_alpha_p1', '0.1.0_beta'],
  ['2.0_rc1', '2.0_rc1_p1', '2.0_rc2'],
];

test('apk: each chain is strictly increasing, checked on every pair both ways round', () => {
  let pairs = 0;
  for (const chain of CHAINS) {
    for (let i = 0; i < chain.length; i++) {
      for (let j = i + 1; j < chain.length; j++) {
        assert.ok(compareApk(chain[i]!, chain[j]!) < 0, `${chain[i]} < ${chain[j]}`);
        assert.ok(compareApk(chain[j]!, chain[i]!) > 0, `${chain[j]} > ${chain[i]}`);
        pairs++;
      }
    }
  }
  assert.ok(pairs >= 30, `${pairs} pairs`);
});

test('apk: equal versions, and the snapshot hash does not order', () => {
  for (const [a, b] of [
    ['1.2.3-r0', '1.2.3-r0'],
    ['1.2.3_rc1-r0', '1.2.3_rc1-r00'],
    ['1.0_git20230101~abc123-r0', '1.0_git20230101~def456-r0'],
    ['1.0_git20230101~abc123-r0', '1.0_git20230101-r0'],
  ] as const) {
    assert.equal(compareApk(a, b), 0, `${a} = ${b}`);
  }
});

test('apk: what breaks the grammar is compared up to the break, then as text', () => {
  assert.ok(compareApk('1.0', '1.0bc') < 0, 'two letters are not a letter suffix');
  assert.ok(compareApk('23_foo', '4_beta') > 0, 'an unknown suffix after a larger number');
  assert.ok(compareApk('0.9.8zh', '1.0.0') < 0);
  for (const v of ['', 'abc', '_rc1', '-r1', '1..2', '1.0-r', '1.0_', '1.0~']) {
    assert.equal(typeof compareApk(v, '1.0-r0'), 'number');
    assert.equal(compareApk(v, v), 0, `${JSON.stringify(v)} equals itself`);
  }
});
