import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { comparePep440, parsePep440 } from './pep440.js';

// The ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering"), widened.
const CHAIN = [
  '1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456',
  '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5', '1.0.post456.dev34', '1.0.post456',
  '1.0.15', '1.1.dev1', '1!0.1',
];

test('pep440: the PEP ordering example is strictly increasing, every pair both ways round', () => {
  for (let i = 0; i < CHAIN.length; i++) {
    for (let j = i + 1; j < CHAIN.length; j++) {
      assert.ok(comparePep440(CHAIN[i]!, CHAIN[j]!) < 0, `${CHAIN[i]} < ${CHAIN[j]}`);
      assert.ok(comparePep440(CHAIN[j]!, CHAIN[i]!) > 0, `${CHAIN[j]} > ${CHAIN[i]}`);
    }
  }
});

/** [older, newer], from PyPI. */
const PAIRS: readonly (readonly [string, string])[] = [
  ['2.28.1', '2.31.0'],
  ['2.3.0', '2.28.1'],
  ['2.6.0', '2.12.0'],
  ['1.26.18', '2.0.0'],
  ['3.2.25', '4.2.16'],
  ['41.0.7', '42.0.0'],
  ['2.0.0rc1', '2.0.0'],
  ['2.0.0b3', '2.0.0rc1'],
  ['1.0.0a9', '1.0.0a10'],
  ['0.9', '0.10'],
  ['1.0', '1.0.1'],
  ['1.0.post1', '1.0.post2'],
  ['1.0', '1.0-1'],
  ['1.0.dev1', '1.0.dev2'],
  ['1.0rc1', '1.0rc1.post1'],
  ['2020.12.5', '2024.2.2'],
  ['1.0+ubuntu1', '1.0+ubuntu2'],
  ['1.0+abc', '1.0+1'],
  ['1.0+1', '1.0+1.a'],
  ['1.0+2', '1.0+10'],
  ['1!0.1', '2!0.0.1'],
  ['999', '1!0'],
];

test('pep440: pairs of real and edge-case versions', () => {
  for (const [a, b] of PAIRS) {
    assert.ok(comparePep440(a, b) < 0, `${a} < ${b}`);
    assert.ok(comparePep440(b, a) > 0, `${b} > ${a}`);
  }
});

test('pep440: normalisation makes every spelling of a version equal', () => {
  const same: readonly (readonly [string, string])[] = [
    ['1.0', '1.0.0'],
    ['1.0', '1.0.0.0.0'],
    ['1.0', '0!1.0'],
    ['1.0', 'v1.0'],
    ['1.0', ' 1.0 '],
    ['1.0a1', '1.0alpha1'],
    ['1.0a1', '1.0-a1'],
    ['1.0a1', '1.0_a_1'],
    ['1.0a1', '1.0.A.1'],
    ['1.0a0', '1.0a'],
    ['1.0b2', '1.0beta2'],
    ['1.0rc1', '1.0c1'],
    ['1.0rc1', '1.0pre1'],
    ['1.0rc1', '1.0preview1'],
    ['1.0rc1', '1.0-RC-1'],
    ['1.0.post1', '1.0-1'],
    ['1.0.post1', '1.0post1'],
    ['1.0.post1', '1.0-post-1'],
    ['1.0.post1', '1.0.rev1'],
    ['1.0.post1', '1.0r1'],
    ['1.0.post0', '1.0.post'],
    ['1.0.dev0', '1.0dev'],
    ['1.0.dev1', '1.0-DEV-1'],
    ['1.0+ubuntu.1', '1.0+Ubuntu-1'],
    ['1.0+ubuntu.1', '1.0+ubuntu_1'],
    ['1.0+01', '1.0+1'],
  ];
  for (const [a, b] of same) assert.equal(comparePep440(a, b), 0, `${a} = ${b}`);
});

test('pep440: parsing keeps each part', () => {
  assert.deepEqual(parsePep440('1!2.0.0rc1.post2.dev3+local.7'), {
    epoch: '1',
    release: ['2', '0', '0'],
    pre: { rank: 2, n: '1' },
    post: '2',
    dev: '3',
    local: ['local', '7'],
  });
  assert.equal(parsePep440('not a version'), undefined);
  assert.equal(parsePep440('1.0+'), undefined);
});

test('pep440: strings that are not versions sort before every version and among themselves', () => {
  assert.ok(comparePep440('french toast', '0.0.1') < 0);
  assert.ok(comparePep440('0.0.1', 'dev-main') > 0);
  assert.ok(comparePep440('1.0-foo-2', '1.0-foo-10') < 0);
  for (const v of ['', 'x', '1.0+', '.', '1..0', '1.0-']) assert.equal(comparePep440(v, v), 0);
});

test('pep440: agrees with the packaging library on every pair of the tables', (t) => {
  const probe = spawnSync('python3', ['-c', 'import packaging.version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.skip('python3 with the packaging library is not available here, so there is no reference to compare with');
    return;
  }
  const versions = [...new Set([...CHAIN, ...PAIRS.flat()])];
  const script = [
    'import sys, json',
    'from packaging.version import Version',
    'vs = json.loads(sys.stdin.read())',
    'print(json.dumps([[(Version(a) > Version(b)) - (Version(a) < Version(b)) for b in vs] for a in vs]))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(versions), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const expected = JSON.parse(run.stdout) as number[][];
  const wrong: string[] = [];
  versions.forEach((a, i) =>
    versions.forEach((b, j) => {
      if (Math.sign(comparePep440(a, b)) !== expected[i]![j]) wrong.push(`${a} vs ${b}`);
    }),
  );
  assert.deepEqual(wrong, []);
});
