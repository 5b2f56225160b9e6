import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStorageError } from '../storage-error.js';
import { decodeState, encodeState, type UploadState } from './multipart-state.js';
import { MIB } from './s3-limits.js';

const id = '2b0c1f4e-0d7a-4c55-9a52-3a3c3a1a0b11';

test('an upload state survives the round trip through its string', () => {
  const state: UploadState = {
    uploadId: 'mpu-1',
    parts: [
      { n: 1, etag: '"a"', size: 8 * MIB },
      { n: 2, etag: '"b"', size: 6 * MIB },
    ],
    tail: { key: `uploads/${id}/tail-14680064-14680164-0a0b0c0d`, size: 100 },
  };
  const text = encodeState(state);
  assert.equal(JSON.parse(text).v, 1);
  assert.deepEqual(decodeState({ id, size: 14 * MIB + 100, state: text }), state);
  assert.deepEqual(decodeState({ id, size: 0, state: encodeState({ parts: [] }) }), { parts: [] });
});

test('a state that is not ours, or does not add up to the size, is INVALID_UPLOAD', () => {
  const good = encodeState({ uploadId: 'mpu-1', parts: [{ n: 1, etag: '"a"', size: 5 * MIB }] });
  const bad = [
    { size: 0, state: '' },
    { size: 0, state: '{"v":2,"parts":[]}' },
    { size: 0, state: '{"v":1}' },
    { size: 5 * MIB + 1, state: good },
    { size: 5 * MIB, state: '{"v":1,"parts":[{"n":2,"etag":"x","size":5242880}],"uploadId":"u"}' },
    { size: 5 * MIB, state: '{"v":1,"parts":[{"n":1,"etag":"x","size":5242880}]}' },
    { size: 3, state: '{"v":1,"parts":[],"tail":{"key":"uploads/another/tail","size":3}}' },
  ];
  for (const upload of bad) {
    assert.throws(() => decodeState({ id, ...upload }), (err) => isStorageError(err, 'INVALID_UPLOAD'), upload.state);
  }
});
