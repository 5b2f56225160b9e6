import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRegistryError } from '../../core/errors.js';
import { parseContentRange, parseRangeHeader } from './ranges.js';

test('Range headers: single ranges, suffixes, open ends; other units ignored; bad ones 416', () => {
  assert.deepEqual(parseRangeHeader('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRangeHeader('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRangeHeader('bytes=50-500', 100), { start: 50, end: 99 });
  assert.equal(parseRangeHeader(undefined, 100), undefined);
  assert.equal(parseRangeHeader('items=0-1', 100), undefined);
  assert.equal(parseRangeHeader('bytes=0-1,5-6', 100), undefined);
  for (const bad of ['bytes=100-', 'bytes=9-3', 'bytes=x-y', 'bytes=-', 'bytes=-0']) {
    assert.throws(() => parseRangeHeader(bad, 100), (err) => isRegistryError(err) && err.code === 'RANGE_NOT_SATISFIABLE', bad);
  }
});

test('Content-Range of upload chunks', () => {
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 100-199/1000'), { start: 100, end: 199 });
  assert.equal(parseContentRange(undefined), undefined);
  assert.throws(() => parseContentRange('junk'), (err) => isRegistryError(err) && err.code === 'BLOB_UPLOAD_INVALID');
  assert.throws(() => parseContentRange('10-5'), (err) => isRegistryError(err) && err.code === 'UPLOAD_OFFSET_INVALID');
});
