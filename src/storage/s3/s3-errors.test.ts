import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageError } from '../storage-error.js';
import { toStorageError, type S3Call } from './s3-errors.js';

const call: S3Call = { op: 'GetObject', bucket: 'berth-blobs', key: 'berth/blobs/sha256/ab/abc', where: 'http://127.0.0.1:9000' };

/** An error shaped as the SDK throws for an S3 error response. */
function serviceError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} message`), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, requestId: 'REQ1' }, ...extra });
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9000`), { code });
}

test('S3 errors map to the closed StorageError set', () => {
  const cases: [unknown, StorageError['code'], RegExp?][] = [
    [serviceError('NoSuchKey', 404), 'NOT_FOUND', /no object "berth\/blobs\/sha256\/ab\/abc" in bucket "berth-blobs"/],
    [serviceError('NotFound', 404), 'NOT_FOUND'],
    [serviceError('UnknownError', 404), 'NOT_FOUND'],
    [serviceError('InvalidRange', 416), 'NOT_FOUND', /beyond its end/],
    [serviceError('NoSuchUpload', 404), 'INVALID_UPLOAD'],
    [serviceError('InvalidPart', 400), 'INVALID_UPLOAD'],
    [serviceError('EntityTooSmall', 400), 'INVALID_UPLOAD'],
    [serviceError('NoSuchBucket', 404), 'UNAVAILABLE', /bucket "berth-blobs" does not exist/],
    [serviceError('AccessDenied', 403), 'UNAVAILABLE', /refused the credentials/],
    [serviceError('InvalidAccessKeyId', 403), 'UNAVAILABLE', /refused the credentials/],
    [serviceError('SignatureDoesNotMatch', 403), 'UNAVAILABLE', /refused the credentials/],
    [serviceError('Forbidden', 403), 'UNAVAILABLE', /refused the credentials/],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'UNAVAILABLE', /no S3 credentials/],
    [serviceError('SlowDown', 503), 'UNAVAILABLE', /throttling/],
    [serviceError('ThrottlingException', 400), 'UNAVAILABLE', /throttling/],
    [serviceError('InternalError', 500), 'UNAVAILABLE', /InternalError, HTTP 500, request REQ1/],
    [networkError('ECONNREFUSED'), 'UNAVAILABLE', /unreachable \(ECONNREFUSED\)/],
    [networkError('ENOTFOUND'), 'UNAVAILABLE', /unreachable/],
    [Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), 'UNAVAILABLE', /unreachable/],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'ABORTED'],
    [new Error('something else'), 'UNAVAILABLE', /something else/],
  ];
  for (const [err, code, message] of cases) {
    const mapped = toStorageError(err, call);
    assert.equal(mapped.code, code, `${(err as Error).name}: ${mapped.message}`);
    if (message) assert.match(mapped.message, message);
  }
});

test('a call cancelled through its signal is ABORTED whatever the SDK made of it', () => {
  const controller = new AbortController();
  controller.abort();
  assert.equal(toStorageError(networkError('ECONNRESET'), call, controller.signal).code, 'ABORTED');
});

test('a StorageError passes through unchanged', () => {
  const original = new StorageError('INVALID_UPLOAD', 'x');
  assert.equal(toStorageError(original, call), original);
});

test('messages and causes of refused credentials carry nothing of the request that was signed', () => {
  const err = serviceError('SignatureDoesNotMatch', 403, {
    AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    StringToSign: 'AWS4-HMAC-SHA256\n20260101T000000Z\n...',
    SignatureProvided: 'deadbeef',
  });
  const mapped = toStorageError(err, call);
  assert.doesNotMatch(mapped.message, /AKIA|AWS4-HMAC|deadbeef/);
  assert.equal(mapped.cause, undefined);
});
