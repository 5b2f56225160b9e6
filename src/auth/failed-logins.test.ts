import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailedLogins } from './failed-logins.js';

test('a source is refused after repeated failures, for a while, and others are not', () => {
  const logins = new FailedLogins(3, 60_000, 30_000);
  const t0 = 1_000_000;
  logins.record('10.0.0.1', t0);
  logins.record('10.0.0.1', t0 + 1);
  assert.equal(logins.retryAfterSeconds('10.0.0.1', t0 + 2), 0);
  logins.record('10.0.0.1', t0 + 2);
  assert.equal(logins.retryAfterSeconds('10.0.0.1', t0 + 3), 30);
  assert.equal(logins.retryAfterSeconds('10.0.0.2', t0 + 3), 0, 'another source is not affected');
  assert.equal(logins.retryAfterSeconds('10.0.0.1', t0 + 30_003), 0, 'the block ends');
});

test('failures spread wider than the window do not add up', () => {
  const logins = new FailedLogins(3, 60_000, 30_000);
  for (let i = 0; i < 10; i++) logins.record('10.0.0.1', i * 61_000);
  assert.equal(logins.retryAfterSeconds('10.0.0.1', 10 * 61_000), 0);
});
