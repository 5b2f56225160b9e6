import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIB, partSizeFor } from './s3-limits.js';

test('parts double in size every 2,500 parts, up to eight times the base', () => {
  assert.equal(partSizeFor(8 * MIB, 1), 8 * MIB);
  assert.equal(partSizeFor(8 * MIB, 2500), 8 * MIB);
  assert.equal(partSizeFor(8 * MIB, 2501), 16 * MIB);
  assert.equal(partSizeFor(8 * MIB, 5001), 32 * MIB);
  assert.equal(partSizeFor(8 * MIB, 9999), 64 * MIB);
});
