import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingUploads } from './pending-uploads.js';

const session = (id: string, created_at: number) => ({ id, repository_id: 1, created_at });

test('holds sessions up to its capacity, then refuses new ones until one leaves', () => {
  const pending = new PendingUploads(2);
  assert.equal(pending.add(session('a', 1)), true);
  assert.equal(pending.add(session('b', 2)), true);
  assert.equal(pending.add(session('c', 3)), false);
  assert.equal(pending.get('c'), undefined);
  pending.delete('a');
  assert.equal(pending.add(session('c', 3)), true);
  assert.deepEqual(['a', 'b', 'c'].map((id) => pending.get(id)?.id), [undefined, 'b', 'c']);
});

test('expires the sessions opened before a time, oldest first; a dry run only counts them', () => {
  const pending = new PendingUploads(10);
  for (const [id, at] of [['a', 10], ['b', 20], ['c', 30]] as const) pending.add(session(id, at));
  assert.equal(pending.expire(25, true), 2);
  assert.equal(pending.get('a')?.id, 'a');
  assert.equal(pending.expire(25), 2);
  assert.deepEqual(['a', 'b', 'c'].map((id) => pending.get(id)?.id), [undefined, undefined, 'c']);
  assert.equal(pending.expire(25), 0);
});
