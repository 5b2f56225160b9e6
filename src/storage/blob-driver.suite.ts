import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { backgroundContext } from '../core/context.js';
import type { BlobDriver } from './blob-driver.js';
import { isStorageError } from './storage-error.js';

const ctx = backgroundContext();

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

async function* chunksOf(...parts: (string | Buffer)[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function* failingAfter(part: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(part);
  throw new Error('client went away');
}

/** The contract every BlobDriver keeps; each driver's test file runs it. */
export function runBlobDriverSuite(name: string, makeDriver: () => Promise<BlobDriver>): void {
  test(`${name}: put, stat, read and ranged read`, async () => {
    const driver = await makeDriver();
    assert.equal(await driver.stat(ctx, 'blobs/x/ab/abc'), null);
    await driver.put(ctx, 'blobs/x/ab/abc', Buffer.from('hello world'));
    assert.equal((await driver.stat(ctx, 'blobs/x/ab/abc'))?.size, 11);
    assert.equal((await readAll(await driver.read(ctx, 'blobs/x/ab/abc'))).toString(), 'hello world');
    assert.equal((await readAll(await driver.read(ctx, 'blobs/x/ab/abc', { start: 6, end: 10 }))).toString(), 'world');
    await driver.close();
  });

  test(`${name}: readSmall, where the driver has it, gives a range in one buffer`, async (t) => {
    const driver = await makeDriver();
    if (!driver.readSmall) {
      t.skip('this driver has no readSmall: callers stream');
      return;
    }
    await driver.put(ctx, 'blobs/x/ab/small', Buffer.from('hello small world'));
    assert.equal((await driver.readSmall(ctx, 'blobs/x/ab/small', { start: 6, end: 10 })).toString(), 'small');
    assert.equal((await driver.readSmall(ctx, 'blobs/x/ab/small', { start: 0, end: 16 })).toString(), 'hello small world');
    await assert.rejects(driver.readSmall(ctx, 'blobs/x/ab/none', { start: 0, end: 3 }), (err) => isStorageError(err, 'NOT_FOUND'));
    await driver.close();
  });

  test(`${name}: reading a missing object rejects NOT_FOUND`, async () => {
    const driver = await makeDriver();
    await assert.rejects(driver.read(ctx, 'blobs/none'), (err) => isStorageError(err, 'NOT_FOUND'));
  });

  test(`${name}: delete is idempotent`, async () => {
    const driver = await makeDriver();
    await driver.put(ctx, 'a/b', Buffer.from('1'));
    await driver.delete(ctx, 'a/b');
    await driver.delete(ctx, 'a/b');
    assert.equal(await driver.stat(ctx, 'a/b'), null);
  });

  test(`${name}: deleteMany removes each key, those already gone included`, async () => {
    const driver = await makeDriver();
    await driver.put(ctx, 'many/a', Buffer.from('1'));
    await driver.put(ctx, 'many/b', Buffer.from('2'));
    await driver.put(ctx, 'many/keep', Buffer.from('3'));
    await driver.deleteMany(ctx, ['many/a', 'many/b', 'many/never-there']);
    await driver.deleteMany(ctx, []);
    assert.equal(await driver.stat(ctx, 'many/a'), null);
    assert.equal(await driver.stat(ctx, 'many/b'), null);
    assert.equal((await driver.stat(ctx, 'many/keep'))?.size, 1);
    await driver.close();
  });

  test(`${name}: list by prefix`, async () => {
    const driver = await makeDriver();
    await driver.put(ctx, 'blobs/sha256/aa/one', Buffer.from('1'));
    await driver.put(ctx, 'blobs/sha256/bb/two', Buffer.from('22'));
    await driver.put(ctx, 'other/three', Buffer.from('333'));
    const keys: string[] = [];
    for await (const info of driver.list(ctx, 'blobs/')) keys.push(info.key);
    assert.deepEqual(keys.sort(), ['blobs/sha256/aa/one', 'blobs/sha256/bb/two']);
  });

  test(`${name}: an upload appended in chunks commits to its key`, async () => {
    const driver = await makeDriver();
    let upload = await driver.createUpload(ctx, 'u1');
    upload = await driver.appendUpload(ctx, upload, chunksOf('abc', 'def'));
    assert.equal(upload.size, 6);
    upload = await driver.appendUpload(ctx, upload, chunksOf('ghi'));
    assert.equal(upload.size, 9);
    assert.equal((await readAll(await driver.readUpload(ctx, upload))).toString(), 'abcdefghi');
    await driver.commitUpload(ctx, upload, 'blobs/final');
    assert.equal((await readAll(await driver.read(ctx, 'blobs/final'))).toString(), 'abcdefghi');
  });

  test(`${name}: an upload that never got a byte commits an empty object`, async () => {
    const driver = await makeDriver();
    const upload = await driver.createUpload(ctx, 'u-empty');
    assert.equal((await readAll(await driver.readUpload(ctx, upload))).length, 0);
    await driver.commitUpload(ctx, upload, 'blobs/sha256/e3/empty');
    assert.equal((await driver.stat(ctx, 'blobs/sha256/e3/empty'))?.size, 0);
  });

  test(`${name}: a failed append leaves the upload as it was`, async () => {
    const driver = await makeDriver();
    let upload = await driver.createUpload(ctx, 'u2');
    upload = await driver.appendUpload(ctx, upload, chunksOf('abc'));
    await assert.rejects(driver.appendUpload(ctx, upload, failingAfter('zzzz')));
    upload = await driver.appendUpload(ctx, upload, chunksOf('de'));
    await driver.commitUpload(ctx, upload, 'blobs/after-failure');
    assert.equal((await readAll(await driver.read(ctx, 'blobs/after-failure'))).toString(), 'abcde');
  });

  test(`${name}: a large upload streams through intact`, async () => {
    const driver = await makeDriver();
    const piece = Buffer.alloc(1024 * 1024, 7);
    async function* many(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 40; i++) yield piece;
    }
    let upload = await driver.createUpload(ctx, 'u3');
    upload = await driver.appendUpload(ctx, upload, many());
    await driver.commitUpload(ctx, upload, 'blobs/large');
    const hash = createHash('sha256');
    for await (const chunk of await driver.read(ctx, 'blobs/large')) hash.update(chunk);
    const expected = createHash('sha256');
    for (let i = 0; i < 40; i++) expected.update(piece);
    assert.equal(hash.digest('hex'), expected.digest('hex'));
  });

  test(`${name}: many small appends keep every byte in order`, async () => {
    const driver = await makeDriver();
    const expected: Buffer[] = [];
    let upload = await driver.createUpload(ctx, 'u-many');
    for (let i = 0; i < 30; i++) {
      const piece = Buffer.alloc((i * 37) % 301 + 1, i);
      expected.push(piece);
      upload = await driver.appendUpload(ctx, upload, chunksOf(piece.subarray(0, 1), piece.subarray(1)));
    }
    const all = Buffer.concat(expected);
    assert.equal(upload.size, all.length);
    assert.deepEqual(await readAll(await driver.readUpload(ctx, upload)), all);
    await driver.commitUpload(ctx, upload, 'blobs/many');
    assert.deepEqual(await readAll(await driver.read(ctx, 'blobs/many')), all);
  });

  test(`${name}: an append of no bytes leaves the upload as it was`, async () => {
    const driver = await makeDriver();
    let upload = await driver.appendUpload(ctx, await driver.createUpload(ctx, 'u-nothing'), chunksOf('abc'));
    upload = await driver.appendUpload(ctx, upload, chunksOf());
    assert.equal(upload.size, 3);
    await driver.commitUpload(ctx, upload, 'blobs/nothing-added');
    assert.equal((await readAll(await driver.read(ctx, 'blobs/nothing-added'))).toString(), 'abc');
  });

  test(`${name}: readUpload may be called twice before the commit`, async () => {
    const driver = await makeDriver();
    const upload = await driver.appendUpload(ctx, await driver.createUpload(ctx, 'u-twice'), chunksOf('twice'));
    assert.equal((await readAll(await driver.readUpload(ctx, upload))).toString(), 'twice');
    assert.equal((await readAll(await driver.readUpload(ctx, upload))).toString(), 'twice');
    await driver.commitUpload(ctx, upload, 'blobs/twice');
    assert.equal((await readAll(await driver.read(ctx, 'blobs/twice'))).toString(), 'twice');
  });

  test(`${name}: a committed or aborted upload takes no more bytes`, async () => {
    const driver = await makeDriver();
    const committed = await driver.appendUpload(ctx, await driver.createUpload(ctx, 'u-done'), chunksOf('done'));
    await driver.commitUpload(ctx, committed, 'blobs/done');
    await assert.rejects(driver.appendUpload(ctx, committed, chunksOf('more')), (err) => isStorageError(err, 'INVALID_UPLOAD'));
    const aborted = await driver.appendUpload(ctx, await driver.createUpload(ctx, 'u-gone'), chunksOf('gone'));
    await driver.abortUpload(ctx, aborted);
    await assert.rejects(driver.appendUpload(ctx, aborted, chunksOf('more')), (err) => isStorageError(err, 'INVALID_UPLOAD'));
  });

  test(`${name}: an aborted upload is gone`, async () => {
    const driver = await makeDriver();
    const upload = await driver.appendUpload(ctx, await driver.createUpload(ctx, 'u4'), chunksOf('x'));
    await driver.abortUpload(ctx, upload);
    await driver.abortUpload(ctx, upload);
    await assert.rejects(driver.readUpload(ctx, upload));
  });
}
