import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ecr } from './helpers/ecr-client.js';
import { content } from './helpers/images.js';
import { errorCode, pushBlob } from './helpers/oci-client.js';
import { startTestRegistry, type TestRegistry } from './helpers/test-registry.js';
import { HashThread } from '../src/registry/hash-thread.js';

for (const storage of ['memory', 'fs'] as const) {
  describe(`blob uploads (${storage} storage)`, () => {
    let t: TestRegistry;
    before(async () => {
      t = await startTestRegistry({ storage });
    });
    after(() => t.close());

    const pathOf = (location: string | string[] | undefined): string => {
      const url = new URL(String(location));
      return url.pathname + url.search;
    };

    test('the base endpoint answers 200 with the API version header, and so does every error', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v2/' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
      for (const [url, status] of [['/v2/no/such/manifests/latest', 404], ['/v2/no/such/thing', 404], ['/v2/Bad_Name/tags/list', 400]] as const) {
        const failed = await t.app.inject({ method: 'GET', url });
        assert.equal(failed.statusCode, status, `${url}: ${failed.body}`);
        assert.equal(failed.headers['docker-distribution-api-version'], 'registry/2.0', url);
      }
    });

    test('monolithic POST ?digest= stores the blob in one request', async () => {
      const blob = content(randomBytes(5000));
      const res = await t.app.inject({ method: 'POST', url: `/v2/mono/app/blobs/uploads/?digest=${blob.digest}`, payload: blob.bytes, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['docker-content-digest'], blob.digest);
      assert.match(String(res.headers.location), new RegExp(`/v2/mono/app/blobs/${blob.digest}$`));
      const get = await t.app.inject({ method: 'GET', url: `/v2/mono/app/blobs/${blob.digest}` });
      assert.equal(get.statusCode, 200);
      assert.deepEqual(get.rawPayload, blob.bytes);
    });

    test('a session with PATCH chunks, a status GET and a final PUT with the last chunk', async () => {
      const blob = content(randomBytes(3000));
      const start = await t.app.inject({ method: 'POST', url: '/v2/chunked/app/blobs/uploads/' });
      assert.equal(start.statusCode, 202);
      assert.equal(start.headers.range, '0-0');
      assert.ok(start.headers['docker-upload-uuid']);
      const first = await t.app.inject({ method: 'PATCH', url: pathOf(start.headers.location), payload: blob.bytes.subarray(0, 1000), headers: { 'content-range': '0-999', 'content-type': 'application/octet-stream' } });
      assert.equal(first.statusCode, 202, first.body);
      assert.equal(first.headers.range, '0-999');
      const second = await t.app.inject({ method: 'PATCH', url: pathOf(first.headers.location), payload: blob.bytes.subarray(1000, 2000), headers: { 'content-range': '1000-1999' } });
      assert.equal(second.headers.range, '0-1999');
      const status = await t.app.inject({ method: 'GET', url: pathOf(second.headers.location) });
      assert.equal(status.statusCode, 204);
      assert.equal(status.headers.range, '0-1999');
      assert.ok(status.headers.location);
      const done = await t.app.inject({ method: 'PUT', url: `${pathOf(second.headers.location)}?digest=${blob.digest}`, payload: blob.bytes.subarray(2000), headers: { 'content-range': '2000-2999' } });
      assert.equal(done.statusCode, 201, done.body);
      const head = await t.app.inject({ method: 'HEAD', url: `/v2/chunked/app/blobs/${blob.digest}` });
      assert.equal(head.statusCode, 200);
      assert.equal(head.headers['content-length'], '3000');
      assert.equal(head.headers['docker-content-digest'], blob.digest);
    });

    test('a streamed PATCH without Content-Length (as dockerd sends) is accepted', async () => {
      const blob = content(randomBytes(200_000));
      const start = await t.app.inject({ method: 'POST', url: '/v2/streamed/app/blobs/uploads/' });
      const patch = await t.app.inject({ method: 'PATCH', url: pathOf(start.headers.location), payload: Readable.from([blob.bytes.subarray(0, 70_000), blob.bytes.subarray(70_000)]) });
      assert.equal(patch.statusCode, 202, patch.body);
      assert.equal(patch.headers.range, `0-${blob.bytes.length - 1}`);
      const done = await t.app.inject({ method: 'PUT', url: `${pathOf(patch.headers.location)}?digest=${blob.digest}` });
      assert.equal(done.statusCode, 201, done.body);
    });

    test('an out-of-order or repeated chunk gets 416 with the current Range', async () => {
      const start = await t.app.inject({ method: 'POST', url: '/v2/order/app/blobs/uploads/' });
      const url = pathOf(start.headers.location);
      await t.app.inject({ method: 'PATCH', url, payload: Buffer.alloc(10, 1), headers: { 'content-range': '0-9' } });
      const repeated = await t.app.inject({ method: 'PATCH', url, payload: Buffer.alloc(10, 1), headers: { 'content-range': '0-9' } });
      assert.equal(repeated.statusCode, 416);
      assert.equal(repeated.headers.range, '0-9');
      const gap = await t.app.inject({ method: 'PATCH', url, payload: Buffer.alloc(10, 1), headers: { 'content-range': '20-29' } });
      assert.equal(gap.statusCode, 416);
      assert.equal(errorCode(gap), 'BLOB_UPLOAD_INVALID');
      const status = await t.app.inject({ method: 'GET', url });
      assert.equal(status.headers.range, '0-9');
    });

    test('a digest that does not match the bytes is DIGEST_INVALID and nothing becomes visible', async () => {
      const blob = content(randomBytes(100));
      const wrong = content(randomBytes(100)).digest;
      const res = await t.app.inject({ method: 'POST', url: `/v2/wrong/app/blobs/uploads/?digest=${wrong}`, payload: blob.bytes });
      assert.equal(res.statusCode, 400);
      assert.equal(errorCode(res), 'DIGEST_INVALID');
      for (const digest of [wrong, blob.digest]) {
        const head = await t.app.inject({ method: 'HEAD', url: `/v2/wrong/app/blobs/${digest}` });
        assert.equal(head.statusCode, 404);
      }
    });

    test('completing without a digest, or with a malformed one, is DIGEST_INVALID', async () => {
      const start = await t.app.inject({ method: 'POST', url: '/v2/nodigest/app/blobs/uploads/' });
      const none = await t.app.inject({ method: 'PUT', url: pathOf(start.headers.location) });
      assert.equal(none.statusCode, 400);
      assert.equal(errorCode(none), 'DIGEST_INVALID');
      const bad = await t.app.inject({ method: 'PUT', url: `${pathOf(start.headers.location)}?digest=sha256:nothex` });
      assert.equal(errorCode(bad), 'DIGEST_INVALID');
    });

    test('a declared Content-Length that the body does not match is SIZE_INVALID', async () => {
      const start = await t.app.inject({ method: 'POST', url: '/v2/size/app/blobs/uploads/' });
      const res = await t.app.inject({ method: 'PATCH', url: pathOf(start.headers.location), payload: Buffer.alloc(10), headers: { 'content-range': '0-19' } });
      assert.equal(res.statusCode, 400);
      assert.equal(errorCode(res), 'SIZE_INVALID');
    });

    test('DELETE cancels an upload; it is unknown afterwards', async () => {
      const start = await t.app.inject({ method: 'POST', url: '/v2/cancel/app/blobs/uploads/' });
      const url = pathOf(start.headers.location);
      assert.equal((await t.app.inject({ method: 'DELETE', url })).statusCode, 204);
      const after = await t.app.inject({ method: 'GET', url });
      assert.equal(after.statusCode, 404);
      assert.equal(errorCode(after), 'BLOB_UPLOAD_UNKNOWN');
      const unknown = await t.app.inject({ method: 'PATCH', url: '/v2/cancel/app/blobs/uploads/00000000-0000-0000-0000-000000000000', payload: 'x' });
      assert.equal(errorCode(unknown), 'BLOB_UPLOAD_UNKNOWN');
    });

    test('a session with no bytes yet answers its status, completes once, and is unknown elsewhere or once its repository is gone', async () => {
      const start = await t.app.inject({ method: 'POST', url: '/v2/empty/app/blobs/uploads/' });
      assert.equal(start.statusCode, 202);
      const url = pathOf(start.headers.location);
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 204);
      const elsewhere = await t.app.inject({ method: 'GET', url: url.replace('/empty/app/', '/empty/other/') });
      assert.equal(errorCode(elsewhere), 'BLOB_UPLOAD_UNKNOWN');
      const blob = content(randomBytes(300));
      const put = { method: 'PUT', url: `${url}?digest=${blob.digest}`, payload: blob.bytes, headers: { 'content-type': 'application/octet-stream' } } as const;
      assert.equal((await t.app.inject(put)).statusCode, 201);
      const again = await t.app.inject(put);
      assert.equal(again.statusCode, 404);
      assert.equal(errorCode(again), 'BLOB_UPLOAD_UNKNOWN');

      const orphan = pathOf((await t.app.inject({ method: 'POST', url: '/v2/empty/gone/blobs/uploads/' })).headers.location);
      assert.equal((await ecr(t.app, 'DeleteRepository', { repositoryName: 'empty/gone', force: true })).status, 200);
      const late = await t.app.inject({ method: 'PUT', url: `${orphan}?digest=${blob.digest}`, payload: blob.bytes, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(late.statusCode, 404);
      assert.equal(errorCode(late), 'BLOB_UPLOAD_UNKNOWN');
    });

    test('cross-repository mount answers 201, and falls back to a session when the blob is not there', async () => {
      const blob = content(randomBytes(1234));
      await pushBlob(t.app, 'mount/source', blob);
      const mounted = await t.app.inject({ method: 'POST', url: `/v2/mount/target/blobs/uploads/?mount=${blob.digest}&from=mount/source` });
      assert.equal(mounted.statusCode, 201, mounted.body);
      assert.equal(mounted.headers['docker-content-digest'], blob.digest);
      const get = await t.app.inject({ method: 'GET', url: `/v2/mount/target/blobs/${blob.digest}` });
      assert.deepEqual(get.rawPayload, blob.bytes);
      const missing = content(randomBytes(10)).digest;
      const fallback = await t.app.inject({ method: 'POST', url: `/v2/mount/target/blobs/uploads/?mount=${missing}&from=mount/source` });
      assert.equal(fallback.statusCode, 202);
      assert.ok(fallback.headers.location);
    });

    test('blob GET with Range answers 206, and 416 for a range past the end', async () => {
      const blob = content(Buffer.from('0123456789abcdef'));
      await pushBlob(t.app, 'range/app', blob);
      const part = await t.app.inject({ method: 'GET', url: `/v2/range/app/blobs/${blob.digest}`, headers: { range: 'bytes=4-9' } });
      assert.equal(part.statusCode, 206);
      assert.equal(part.body, '456789');
      assert.equal(part.headers['content-range'], 'bytes 4-9/16');
      const suffix = await t.app.inject({ method: 'GET', url: `/v2/range/app/blobs/${blob.digest}`, headers: { range: 'bytes=-3' } });
      assert.equal(suffix.body, 'def');
      const past = await t.app.inject({ method: 'GET', url: `/v2/range/app/blobs/${blob.digest}`, headers: { range: 'bytes=100-200' } });
      assert.equal(past.statusCode, 416);
      assert.equal(past.headers['content-range'], 'bytes */16');
    });

    test('blobs are only readable through a repository that links them', async () => {
      const blob = content(randomBytes(64));
      await pushBlob(t.app, 'linked/one', blob);
      const other = await t.app.inject({ method: 'GET', url: `/v2/linked/two/blobs/${blob.digest}` });
      assert.equal(other.statusCode, 404);
      assert.equal(errorCode(other), 'BLOB_UNKNOWN');
    });

    test('blob DELETE unlinks it (202), then it is unknown', async () => {
      const blob = content(randomBytes(64));
      await pushBlob(t.app, 'delete/app', blob);
      const res = await t.app.inject({ method: 'DELETE', url: `/v2/delete/app/blobs/${blob.digest}` });
      assert.equal(res.statusCode, 202);
      assert.equal((await t.app.inject({ method: 'HEAD', url: `/v2/delete/app/blobs/${blob.digest}` })).statusCode, 404);
      const again = await t.app.inject({ method: 'DELETE', url: `/v2/delete/app/blobs/${blob.digest}` });
      assert.equal(errorCode(again), 'BLOB_UNKNOWN');
    });

    test('malformed digests and names get DIGEST_INVALID and NAME_INVALID', async () => {
      const digest = await t.app.inject({ method: 'GET', url: '/v2/bad/app/blobs/sha256:xyz' });
      assert.equal(digest.statusCode, 400);
      assert.equal(errorCode(digest), 'DIGEST_INVALID');
      const name = await t.app.inject({ method: 'POST', url: '/v2/Bad/Name/blobs/uploads/' });
      assert.equal(name.statusCode, 400);
      assert.equal(errorCode(name), 'NAME_INVALID');
      const short = await t.app.inject({ method: 'POST', url: '/v2/a/blobs/uploads/' });
      assert.equal(errorCode(short), 'NAME_INVALID');
    });
  });
}

test('with create-on-push off, a push to a missing repository is NAME_UNKNOWN', async () => {
  const t = await startTestRegistry({ settings: { createOnPush: false } });
  try {
    const res = await t.app.inject({ method: 'POST', url: '/v2/not/there/blobs/uploads/' });
    assert.equal(res.statusCode, 404);
    assert.equal(errorCode(res), 'NAME_UNKNOWN');
  } finally {
    await t.close();
  }
});

test('an upload whose hash thread stopped between chunks completes: its bytes are read back to verify them', async () => {
  const hashThread = new HashThread();
  const t = await startTestRegistry({ storage: 'fs', hashThread });
  try {
    const blob = content(randomBytes(5 * 1024 * 1024 + 99));
    const start = await t.app.inject({ method: 'POST', url: '/v2/rehash/app/blobs/uploads/' });
    const first = await t.app.inject({ method: 'PATCH', url: new URL(String(start.headers.location)).pathname, payload: blob.bytes.subarray(0, 3_000_000) });
    assert.equal(first.statusCode, 202, first.body);
    await hashThread.close();
    const done = await t.app.inject({ method: 'PUT', url: `${new URL(String(first.headers.location)).pathname}?digest=${blob.digest}`, payload: blob.bytes.subarray(3_000_000) });
    assert.equal(done.statusCode, 201, done.body);
    const get = await t.app.inject({ method: 'GET', url: `/v2/rehash/app/blobs/${blob.digest}` });
    assert.equal(get.rawPayload.length, blob.bytes.length);
    assert.ok(get.rawPayload.equals(blob.bytes));
  } finally {
    await t.close();
  }
});
