import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countWildcards, patternsMatcher, prefixesMatcher } from './tag-patterns.js';

test('a tag prefix list matches when every prefix begins some tag, not necessarily the same one', () => {
  const both = prefixesMatcher(['alpha', 'beta']);
  assert.equal(both(['alpha-2', 'beta-2']), true);
  assert.equal(both(['alpha-1']), false);
  assert.equal(both(['beta-1']), false);
  assert.equal(both(['alphabeta']), false, 'one tag beginning with alpha does not also begin with beta');
  assert.equal(both(['alpha-1', 'beta-1', 'gamma-1']), true, 'extra tags do not matter');
  assert.equal(prefixesMatcher(['prod'])(['prod']), true, 'a tag equal to the prefix matches');
  assert.equal(prefixesMatcher(['prod'])(['Prod-1']), false, 'case-sensitive');
  assert.equal(prefixesMatcher(['prod'])(['preprod']), false, 'a prefix, not a substring');
  assert.equal(prefixesMatcher(['prod'])([]), false);
});

test('a tag pattern list matches when every pattern matches some whole tag', () => {
  assert.equal(patternsMatcher(['prod*'])(['prod']), true, '* matches the empty run');
  assert.equal(patternsMatcher(['prod*'])(['prod1', 'x']), true);
  assert.equal(patternsMatcher(['prod*'])(['preprod']), false, 'the pattern is anchored at both ends');
  assert.equal(patternsMatcher(['*prod'])(['preprod']), true);
  assert.equal(patternsMatcher(['*-rc*'])(['v1.2-rc3']), true);
  assert.equal(patternsMatcher(['v1.*'])(['v1x2']), false, 'a dot is a dot, not a regular-expression wildcard');
  assert.equal(patternsMatcher(['latest'])(['latest-1']), false, 'no wildcard: the exact tag');
  assert.equal(patternsMatcher(['Latest'])(['latest']), false, 'case-sensitive');
  assert.equal(patternsMatcher(['*'])(['anything']), true);
  const all = patternsMatcher(['latest', 'main']);
  assert.equal(all(['main']), false, 'all patterns must match (re:Post: a tagPatternList "acted as an AND")');
  assert.equal(all(['main', 'latest']), true);
});

test('wildcards are counted per pattern', () => {
  assert.equal(countWildcards('*test*1*2*3'), 4);
  assert.equal(countWildcards('test*1*2*3*'), 4);
  assert.equal(countWildcards('test*1*2*3*4*5*6'), 6);
  assert.equal(countWildcards('plain'), 0);
});
