import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRpm, parseRpmVersion, rpmvercmp } from './rpm.js';

/** [a, b, expected sign] for rpmvercmp on one version or release string. */
const SEGMENTS: readonly (readonly [string, string, -1 | 0 | 1])[] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1', 1],
  ['5.5p1', '5.5p2', -1],
  ['5.5p10', '5.5p1', 1],
  ['5.5p1', '5.5.p1', 0],
  ['10xyz', '10.1xyz', -1],
  ['xyz10', 'xyz10.1', -1],
  ['xyz.4', '8', -1],
  ['8', 'xyz.4', 1],
  ['6.0.rc1', '6.0', 1],
  ['10b2', '10a1', 1],
  ['1.0a', '1.0aa', -1],
  ['1.0a', '1.0.1', -1],
  ['2a', '2.0', -1],
  ['1.0', '1.fc4', 1],
  ['10.0001', '10.1', 0],
  ['10.0001', '10.0039', -1],
  ['4.999.9', '5.0', -1],
  ['20101121', '20101122', -1],
  ['2.0', '2_0', 0],
  ['a+', 'a_', 0],
  ['1.el8', '1.el8_10', -1],
  ['1.el9_2', '1.el9', 1],
  ['99999999999999999999999', '100000000000000000000000', -1],
  // Tilde: before everything, even the end.
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0~', '1.0', -1],
  ['1.0~rc1', '1.0~', 1],
  // Caret: after the end, before anything else.
  ['1.0^', '1.0', 1],
  ['1.0^git1', '1.0', 1],
  ['1.0^git1', '1.0^git2', -1],
  ['1.0^git1', '1.01', -1],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0^20160101^git1', '1.0^20160101', 1],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0~rc1^git1', '1.0', -1],
  ['1.0^git1~pre', '1.0^git1', -1],
];

test('rpm: rpmvercmp orders segments as rpm does', () => {
  for (const [a, b, want] of SEGMENTS) {
    assert.equal(rpmvercmp(a, b), want, `rpmvercmp(${a}, ${b})`);
    assert.equal(rpmvercmp(b, a), -want || 0, `rpmvercmp(${b}, ${a})`);
  }
});

/** [older, newer] full epoch:version-release strings. */
const EVR: readonly (readonly [string, string])[] = [
  ['3.0.7-24.el9', '3.0.7-25.el9'],
  ['1:3.0.7-27.el9', '1:3.0.7-28.el9_4'],
  ['1:3.0.7-28.el9_4', '1:3.0.7-28.el9_4.1'],
  ['1:1.1.1k-9.el8_7', '1:1.1.1k-12.el8_9'],
  ['2.28-225.el9_3', '2.28-236.el9'],
  ['2.0-1', '1:1.0-1'],
  ['7.76.1-26.el9_3.2', '7.76.1-26.el9_3.3'],
  ['7.76.1-26.el9', '7.76.1-26.el9_3.2'],
  ['5.1.8-6.el9', '5.1.8-9.el9'],
  ['252-18.el9', '252-32.el9_4'],
  ['1.2.11-40.el9', '1.2.11-41.el9'],
  ['8.0p1-19.el9', '8.7p1-38.el9'],
  ['8.7p1-38.el9', '8.7p1-38.el9_4.1'],
  ['4.16.1.3-29.el9', '4.16.1.3-29.el9_4'],
  ['1.0~rc1-1', '1.0-1'],
  ['1.0-1', '1.0^git1-1'],
  ['1.0', '1.0-1'],
  ['2.5.1-150400.1.5', '2.5.1-150400.3.3.1'],
];

test('rpm: epoch, then version, then release', () => {
  for (const [a, b] of EVR) {
    assert.ok(compareRpm(a, b) < 0, `${a} < ${b}`);
    assert.ok(compareRpm(b, a) > 0, `${b} > ${a}`);
  }
  assert.equal(compareRpm('0:1.0-1.el9', '1.0-1.el9'), 0, 'a missing epoch is 0');
  assert.equal(compareRpm('1.01-1', '1.1-1'), 0);
  assert.deepEqual(parseRpmVersion('1:3.0.7-28.el9_4'), { epoch: '1', version: '3.0.7', release: '28.el9_4' });
  assert.deepEqual(parseRpmVersion('2.0'), { epoch: '0', version: '2.0', release: '' });
});

test('rpm: odd input compares without throwing', () => {
  for (const v of ['', ':', '-', '~', '^', '1:', 'a:b-c', '...']) {
    assert.equal(typeof compareRpm(v, '1.0-1'), 'number');
    assert.equal(compareRpm(v, v), 0);
  }
});
