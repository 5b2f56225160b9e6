import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRegistryError } from './errors.js';
import { parseDigest } from './digest.js';
import { isRepositoryName, isTag } from './names.js';

const hex = 'a'.repeat(64);

test('parseDigest accepts sha256 and sha512 and names the problem otherwise', () => {
  assert.deepEqual(parseDigest(`sha256:${hex}`), { algorithm: 'sha256', hex, value: `sha256:${hex}` });
  assert.equal(parseDigest(`sha512:${'b'.repeat(128)}`).algorithm, 'sha512');
  const cases: [string, RegExp][] = [
    ['sha256:abc', /64 lowercase hex/],
    [`sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [`md5:${hex}`, /unsupported digest algorithm "md5"/],
    ['nocolon', /invalid digest/],
    ['', /invalid digest/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseDigest(input), (err) => isRegistryError(err) && err.code === 'DIGEST_INVALID' && message.test(err.message), input);
  }
});

test('repository names follow ECR grammar', () => {
  for (const ok of ['ab', 'team/app', 'a-b/c_d/e.f', 'x'.repeat(256)]) assert.ok(isRepositoryName(ok), ok);
  for (const bad of ['a', 'App', 'team//app', '/app', 'app/', 'a--b/-c', 'x'.repeat(257), 'a b']) assert.ok(!isRepositoryName(bad), bad);
});

test('tags follow the OCI grammar', () => {
  for (const ok of ['latest', 'v1.0.0', '_x', 'A'.repeat(128)]) assert.ok(isTag(ok), ok);
  for (const bad of ['', '.x', '-x', 'A'.repeat(129), 'a/b', 'a:b']) assert.ok(!isTag(bad), bad);
});
