import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { freePort } from '../../../test/helpers/server-process.js';
import { s3ForTests, type S3TestStore } from '../../../test/helpers/s3-server.js';
import { backgroundContext } from '../../core/context.js';
import type { BlobDriver } from '../blob-driver.js';
import { runBlobDriverSuite } from '../blob-driver.suite.js';
import { isStorageError } from '../storage-error.js';
import { openS3Driver, type S3DriverOptions, type S3DriverTuning } from './s3-driver.js';

const MIB = 1024 * 1024;
const ctx = backgroundContext();
const s3 = await s3ForTests();

if ('skip' in s3) {
  test('S3 driver', { skip: s3.skip }, () => {});
} else {
  const drivers: BlobDriver[] = [];
  after(async () => {
    await Promise.all(drivers.map((driver) => driver.close()));
    await s3.stop();
  });
  const open = (options: S3DriverOptions, tuning?: S3DriverTuning): BlobDriver => {
    const driver = openS3Driver(options, tuning);
    drivers.push(driver);
    return driver;
  };
  runBlobDriverSuite(`s3 driver (${s3.origin})`, async () => open(s3.driverOptions()));
  runS3Tests(s3, open);
}

function runS3Tests(s3: S3TestStore, open: (options: S3DriverOptions, tuning?: S3DriverTuning) => BlobDriver): void {
  const name = `s3 driver (${s3.origin})`;

  test(`${name}: many appends below 5 MiB, each by a new driver instance, commit to the exact bytes`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB });
    const sizes = [1.5 * MIB, 1, 3 * MIB, 100, 4.5 * MIB, 2 * MIB, 6 * MIB, 700 * 1024];
    const data = randomBytes(sizes.reduce((a, b) => a + b, 0));
    let upload = await open(options).createUpload(ctx, randomUUID());
    let at = 0;
    for (const size of sizes) {
      // A fresh instance per append, as when each PATCH lands on another node: only the state string carries over.
      upload = await open(options).appendUpload(ctx, upload, chunks(data.subarray(at, at + size), 64 * 1024));
      at += size;
      assert.equal(upload.size, at);
      const state = JSON.parse(upload.state) as { v: number; parts: { size: number }[]; tail?: { size: number } };
      assert.equal(state.v, 1);
      assert.ok(state.parts.every((part) => part.size >= 5 * MIB), 'every part but the last holds at least 5 MiB');
      assert.ok((state.tail?.size ?? 0) < 5 * MIB, 'the pending tail is below a part');
    }
    await open(options).commitUpload(ctx, upload, 'blobs/sha256/ab/many');
    assert.equal(sha256(await objectBytes(s3, options, 'blobs/sha256/ab/many')), sha256(data));
    assert.deepEqual(await keysUnder(s3, options, `uploads/${upload.id}/`), []);
    assert.deepEqual(await multipartUploadsUnder(s3, options, `uploads/${upload.id}/`), []);
  });

  test(`${name}: memory stays at a few parts whatever the upload's size`, async () => {
    const partSize = 5 * MIB;
    const driver = open(s3.driverOptions({ partSize }));
    const piece = Buffer.alloc(MIB, 3);
    async function* many(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 160; i++) yield piece;
    }
    // Live buffers only: garbage not yet collected says nothing about what the driver holds.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }, 10);
    try {
      const upload = await driver.appendUpload(ctx, await driver.createUpload(ctx, randomUUID()), many());
      assert.equal(upload.size, 160 * MIB);
    } finally {
      clearInterval(sampler);
    }
    // The part being filled, its copy and three in flight: five parts, with room for the SDK's buffers.
    assert.ok(peak < 8 * partSize, `peak ${(peak / MIB).toFixed(1)} MiB of live buffers for a 160 MiB append`);
  });

  test(`${name}: readUpload (twice) then commit`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB });
    const driver = open(options);
    const data = randomBytes(12 * MIB + 123);
    let upload = await driver.createUpload(ctx, randomUUID());
    for (let at = 0; at < data.length; at += 4 * MIB) upload = await driver.appendUpload(ctx, upload, chunks(data.subarray(at, at + 4 * MIB), MIB));
    assert.equal(sha256(await readAll(await driver.readUpload(ctx, upload))), sha256(data));
    assert.equal(sha256(await readAll(await open(options).readUpload(ctx, upload))), sha256(data));
    await open(options).commitUpload(ctx, upload, 'blobs/sha256/cd/read-first');
    assert.equal(sha256(await objectBytes(s3, options, 'blobs/sha256/cd/read-first')), sha256(data));
    assert.deepEqual(await keysUnder(s3, options, `uploads/${upload.id}/`), []);
    await assert.rejects(driver.appendUpload(ctx, upload, chunks(Buffer.from('late'))), (err) => isStorageError(err, 'INVALID_UPLOAD'));
  });

  test(`${name}: a failed append that had started a multipart upload leaves the previous state valid and no multipart upload behind`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB });
    const driver = open(options);
    const head = randomBytes(3 * MIB);
    const before = await driver.appendUpload(ctx, await driver.createUpload(ctx, randomUUID()), chunks(head));
    // 3 MiB pending + 4 MiB: a first part goes up, then the client vanishes in the middle of the second.
    await assert.rejects(driver.appendUpload(ctx, before, failingAfter(randomBytes(4 * MIB), randomBytes(4 * MIB))), /client went away/);
    assert.deepEqual(await multipartUploadsUnder(s3, options, `uploads/${before.id}/`), []);
    const rest = randomBytes(MIB);
    const after = await open(options).appendUpload(ctx, before, chunks(rest));
    await open(options).commitUpload(ctx, after, 'blobs/sha256/ef/after-failure');
    assert.equal(sha256(await objectBytes(s3, options, 'blobs/sha256/ef/after-failure')), sha256(Buffer.concat([head, rest])));
  });

  test(`${name}: a failed append after earlier parts: part numbers uploaded again replace the failed ones`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB });
    const driver = open(options);
    const head = randomBytes(6 * MIB); // one part and 1 MiB pending
    const before = await driver.appendUpload(ctx, await driver.createUpload(ctx, randomUUID()), chunks(head));
    assert.equal((JSON.parse(before.state) as { parts: unknown[] }).parts.length, 1);
    await assert.rejects(driver.appendUpload(ctx, before, failingAfter(randomBytes(7 * MIB))), /client went away/);
    const rest = randomBytes(2 * MIB);
    const after = await driver.appendUpload(ctx, before, chunks(rest));
    await driver.commitUpload(ctx, after, 'blobs/sha256/12/replaced-parts');
    assert.equal(sha256(await objectBytes(s3, options, 'blobs/sha256/12/replaced-parts')), sha256(Buffer.concat([head, rest])));
  });

  test(`${name}: an append cancelled through the context's signal rejects ABORTED; the upload goes on`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB });
    const driver = open(options);
    const head = randomBytes(2 * MIB);
    const before = await driver.appendUpload(ctx, await driver.createUpload(ctx, randomUUID()), chunks(head));
    const controller = new AbortController();
    async function* stalls(): AsyncIterable<Uint8Array> {
      yield randomBytes(6 * MIB);
      controller.abort(new Error('client disconnected'));
      yield randomBytes(MIB);
    }
    await assert.rejects(driver.appendUpload(backgroundContext(undefined, controller.signal), before, stalls()), (err) => isStorageError(err, 'ABORTED'));
    const rest = randomBytes(100);
    await driver.commitUpload(ctx, await driver.appendUpload(ctx, before, chunks(rest)), 'blobs/sha256/34/after-abort');
    assert.equal(sha256(await objectBytes(s3, options, 'blobs/sha256/34/after-abort')), sha256(Buffer.concat([head, rest])));
  });

  test(`${name}: an append of no bytes changes nothing`, async () => {
    const options = s3.driverOptions();
    const driver = open(options);
    const upload = await driver.appendUpload(ctx, await driver.createUpload(ctx, randomUUID()), chunks(Buffer.from('abc')));
    const again = await driver.appendUpload(ctx, upload, chunks());
    assert.deepEqual(again, upload);
    assert.equal((await keysUnder(s3, options, `uploads/${upload.id}/`)).length, 2); // the marker and one tail
  });

  test(`${name}: abort removes the multipart upload and every object of the upload`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB });
    const driver = open(options);
    let upload = await driver.createUpload(ctx, randomUUID());
    upload = await driver.appendUpload(ctx, upload, chunks(randomBytes(3 * MIB)));
    upload = await driver.appendUpload(ctx, upload, chunks(randomBytes(4 * MIB)));
    assert.equal((await multipartUploadsUnder(s3, options, `uploads/${upload.id}/`)).length, 1);
    await open(options).abortUpload(ctx, upload);
    assert.deepEqual(await multipartUploadsUnder(s3, options, `uploads/${upload.id}/`), []);
    assert.deepEqual(await keysUnder(s3, options, `uploads/${upload.id}/`), []);
    await driver.abortUpload(ctx, upload);
    await assert.rejects(driver.appendUpload(ctx, upload, chunks(Buffer.from('x'))), (err) => isStorageError(err, 'INVALID_UPLOAD'));
    await assert.rejects(driver.commitUpload(ctx, upload, 'blobs/sha256/56/aborted'), (err) => isStorageError(err, 'INVALID_UPLOAD'));
  });

  test(`${name}: above the copy threshold a commit copies in parts (UploadPartCopy)`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB });
    const driver = open(options, { copyPartThreshold: MIB, copyPartSize: 5 * MIB });
    const data = randomBytes(12 * MIB + 7);
    const upload = await driver.appendUpload(ctx, await driver.createUpload(ctx, randomUUID()), chunks(data, MIB));
    await driver.commitUpload(ctx, upload, 'blobs/sha256/78/copied');
    assert.equal(sha256(await objectBytes(s3, options, 'blobs/sha256/78/copied')), sha256(data));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: `${options.prefix}blobs/sha256/78/copied` }));
    assert.match(head.ETag ?? '', /-3"$/, 'a multipart ETag of three 5 MiB copy parts');
  });

  test(`${name}: downloadUrl gives a URL that a plain GET (and a ranged GET) fetches`, async () => {
    const options = s3.driverOptions();
    const driver = open(options);
    await driver.put(ctx, 'blobs/sha256/9a/served', Buffer.from('hello presigned world'));
    const url = await driver.downloadUrl!(ctx, 'blobs/sha256/9a/served', 60);
    const whole = await fetch(url);
    assert.equal(whole.status, 200);
    assert.equal(await whole.text(), 'hello presigned world');
    const ranged = await fetch(url, { headers: { range: 'bytes=6-14' } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), 'presigned');
  });

  test(`${name}: server-side encryption is asked for on put, multipart uploads and copies`, async () => {
    const options = s3.driverOptions({ partSize: 5 * MIB, serverSideEncryption: 'AES256' });
    const driver = open(options);
    await driver.put(ctx, 'blobs/sha256/bc/small', Buffer.from('x'));
    const upload = await driver.appendUpload(ctx, await driver.createUpload(ctx, randomUUID()), chunks(randomBytes(6 * MIB)));
    await driver.commitUpload(ctx, upload, 'blobs/sha256/bc/large');
    for (const key of ['blobs/sha256/bc/small', 'blobs/sha256/bc/large']) {
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: `${options.prefix}${key}` }));
      assert.equal(head.ServerSideEncryption, 'AES256', key);
    }
  });

  test(`${name}: list pages through every key and strips the driver's prefix`, async () => {
    const options = s3.driverOptions();
    const driver = open(options, { listPageSize: 2 });
    const keys = ['blobs/a/1', 'blobs/a/2', 'blobs/b/3', 'blobs/b/4', 'blobs/c/5'];
    for (const key of keys) await driver.put(ctx, key, Buffer.from(key));
    await driver.put(ctx, 'other/6', Buffer.from('6'));
    const listed: string[] = [];
    for await (const info of driver.list(ctx, 'blobs/')) listed.push(info.key);
    assert.deepEqual(listed.sort(), keys);
  });

  test(`${name}: an unreachable endpoint rejects UNAVAILABLE quickly`, async () => {
    const port = await freePort(); // nothing listens there
    const driver = open({ ...s3.driverOptions(), endpoint: `http://127.0.0.1:${port}` });
    const started = Date.now();
    await assert.rejects(driver.stat(ctx, 'blobs/x'), (err) => isStorageError(err, 'UNAVAILABLE') && /unreachable/.test(err.message));
    await assert.rejects(driver.put(ctx, 'blobs/x', Buffer.from('x')), (err) => isStorageError(err, 'UNAVAILABLE'));
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  test(`${name}: a missing bucket rejects UNAVAILABLE naming the bucket`, async () => {
    const bucket = `berth-missing-${randomUUID().slice(0, 8)}`;
    const driver = open({ ...s3.driverOptions(), bucket });
    const namesBucket = (err: unknown): boolean => isStorageError(err, 'UNAVAILABLE') && err.message.includes(bucket) && /does not exist/.test(err.message);
    await assert.rejects(driver.stat(ctx, 'healthz'), namesBucket);
    await assert.rejects(driver.read(ctx, 'blobs/x'), namesBucket);
    await assert.rejects(driver.put(ctx, 'blobs/x', Buffer.from('x')), namesBucket);
    await assert.rejects(driver.createUpload(ctx, randomUUID()), namesBucket);
    await assert.rejects(collect(driver.list(ctx, 'blobs/')), namesBucket);
  });
}

async function* chunks(data: Buffer = Buffer.alloc(0), size = data.length || 1): AsyncIterable<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function* failingAfter(...parts: Buffer[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
  throw new Error('client went away');
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The object's bytes read through the S3 API, not the driver. */
async function objectBytes(s3: S3TestStore, options: S3DriverOptions, key: string): Promise<Buffer> {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: `${options.prefix}${key}` }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function keysUnder(s3: S3TestStore, options: S3DriverOptions, prefix: string): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: `${options.prefix}${prefix}` }));
  return (out.Contents ?? []).map((object) => object.Key!);
}

async function multipartUploadsUnder(s3: S3TestStore, options: S3DriverOptions, prefix: string): Promise<string[]> {
  const out = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: options.bucket, Prefix: `${options.prefix}${prefix}` }));
  return (out.Uploads ?? []).map((upload) => upload.UploadId!);
}

