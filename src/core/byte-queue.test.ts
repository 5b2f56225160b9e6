import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteQueue } from './byte-queue.js';

test('the byte queue cuts chunks into exact parts, in order', () => {
  const queue = new ByteQueue();
  queue.push(Buffer.from('abc'));
  queue.push(Buffer.alloc(0));
  queue.push(Buffer.from('defgh'));
  assert.equal(queue.size, 8);
  assert.equal(queue.take(2).toString(), 'ab');
  assert.equal(queue.take(4).toString(), 'cdef');
  assert.equal(queue.takeAll().toString(), 'gh');
  assert.equal(queue.size, 0);
});

test('the byte queue copies its first bytes into a buffer it is given', () => {
  const queue = new ByteQueue();
  queue.push(Buffer.from('abc'));
  queue.push(Buffer.from('def'));
  const target = Buffer.alloc(8, '.');
  queue.takeInto(target, 4);
  assert.equal(target.toString(), 'abcd....');
  assert.equal(queue.takeAll().toString(), 'ef');
});
