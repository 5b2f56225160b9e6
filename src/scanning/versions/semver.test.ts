import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSemver, parseSemver } from './semver.js';

test('semver: the precedence example of semver.org §11, pair by pair', () => {
  const chain = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
  for (let i = 0; i < chain.length; i++) {
    for (let j = i + 1; j < chain.length; j++) {
      assert.ok(compareSemver(chain[i]!, chain[j]!) < 0, `${chain[i]} < ${chain[j]}`);
      assert.ok(compareSemver(chain[j]!, chain[i]!) > 0, `${chain[j]} > ${chain[i]}`);
    }
  }
});

/** [older, newer]. */
const PAIRS: readonly (readonly [string, string])[] = [
  ['1.0.0', '2.0.0'],
  ['2.0.0', '2.1.0'],
  ['2.1.0', '2.1.1'],
  ['1.9.0', '1.10.0'],
  ['1.0.9', '1.0.10'],
  ['7.5.1', '7.5.2'],
  ['6.3.0', '6.3.1'],
  ['5.7.1', '5.7.2'],
  ['4.17.20', '4.17.21'],
  ['0.0.9', '0.1.0'],
  ['1.0.0-rc.9', '1.0.0-rc.10'],
  ['1.0.0-alpha', '1.0.0-alpha.0'],
  ['1.0.0-1', '1.0.0-alpha'],
  ['1.0.0-999', '1.0.0-a'],
  ['1.0.0-Beta', '1.0.0-beta'],
  ['1.0.0-x.7.z.92', '1.0.0-x.7.za'],
  ['0.0.0-20210101000000-abcdef123456', '0.0.0-20220101000000-123456abcdef'],
  ['v1.2.3', 'v1.2.4'],
  ['v0.0.0-20230101000000-aaaaaaaaaaaa', 'v0.1.0'],
  ['v1.9.9-pre', 'v1.9.9'],
  ['v2.0.0+incompatible', 'v2.0.1+incompatible'],
  ['1.2', '1.2.1'],
  ['1', '1.0.1'],
  ['1.2.3', '1.2.3.4'],
  ['18446744073709551615.0.0', '18446744073709551616.0.0'],
  ['1.0.0-rc.1', '1.0.0-rc.1.1'],
];

test('semver: pairs of npm, Go and crates.io versions', () => {
  for (const [a, b] of PAIRS) {
    assert.ok(compareSemver(a, b) < 0, `${a} < ${b}`);
    assert.ok(compareSemver(b, a) > 0, `${b} > ${a}`);
  }
});

test('semver: build metadata, the v prefix and implicit zeros do not change precedence', () => {
  for (const [a, b] of [
    ['1.0.0+build.1', '1.0.0+build.2'],
    ['1.0.0-rc.1+exp.sha.5114f85', '1.0.0-rc.1'],
    ['v2.0.0+incompatible', '2.0.0'],
    ['v1.2.3', '1.2.3'],
    ['=1.2.3', '1.2.3'],
    ['1.2', '1.2.0'],
    ['01.2.3', '1.2.3'],
    [' 1.2.3 ', '1.2.3'],
  ] as const) {
    assert.equal(compareSemver(a, b), 0, `${a} = ${b}`);
  }
  assert.deepEqual(parseSemver('v1.2.3-rc.1+incompatible'), { core: ['1', '2', '3'], pre: ['rc', '1'] });
});

test('semver: non-strict versions compare what can be compared, never throwing', () => {
  assert.ok(compareSemver('1.2.3a', '1.2.3b') < 0, 'a part with a tail: its number, then the tail');
  assert.ok(compareSemver('1.2.3', '1.2.3a') < 0);
  assert.ok(compareSemver('1.2.x', '1.3.0') < 0);
  for (const v of ['', 'v', 'latest', '-', '+', '1..2', '1.2.3-', '1.2.3-.', '*']) {
    assert.equal(typeof compareSemver(v, '1.0.0'), 'number');
    assert.equal(compareSemver(v, v), 0, `${JSON.stringify(v)} equals itself`);
  }
});
