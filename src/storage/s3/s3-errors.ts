import { StorageError } from '../storage-error.js';

/** What an error message may say about the failed call (never credentials). */
export interface S3Call {
  /** The S3 operation, e.g. 'GetObject'. */
  readonly op: string;
  readonly bucket: string;
  /** The full object key (with the driver's prefix), when the call has one. */
  readonly key?: string;
  /** Where the bucket lives, as shown to operators: the endpoint's origin, or 'AWS'. */
  readonly where: string;
}

/** The parts of an SDK (or Node network) error the mapping reads. */
interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);
const INVALID_UPLOAD = new Set(['NoSuchUpload', 'InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);
const CREDENTIALS_REFUSED = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AccountProblem',
]);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'ServiceUnavailable']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/**
 * Translates a failed S3 call into the closed StorageError set. `signal` is the call's abort signal:
 * a call cancelled through it is ABORTED whatever the SDK made of it.
 *
 * Service errors are not kept as the `cause`: their extra fields (a SignatureDoesNotMatch carries the
 * string that was signed and the access key id) would reach the logs. Network errors are kept.
 */
export function toStorageError(err: unknown, call: S3Call, signal?: AbortSignal): StorageError {
  if (err instanceof StorageError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = e.Code ?? e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const target = call.key === undefined ? `bucket "${call.bucket}"` : `"${call.key}" in bucket "${call.bucket}"`;
  const service = e.$fault !== undefined;
  const cause = service ? undefined : { cause: err };

  if (signal?.aborted || name === 'AbortError') return new StorageError('ABORTED', `S3 ${call.op} of ${target} was cancelled`, cause);
  if (name === 'NoSuchBucket') return new StorageError('UNAVAILABLE', `S3 bucket "${call.bucket}" does not exist (at ${call.where})`);
  if (INVALID_UPLOAD.has(name)) return new StorageError('INVALID_UPLOAD', `S3 ${call.op} of ${target}: the multipart upload is unknown or inconsistent (${name})`);
  if (NOT_FOUND.has(name) || status === 404) {
    return new StorageError('NOT_FOUND', `no object ${target}`);
  }
  if (name === 'InvalidRange' || status === 416) return new StorageError('NOT_FOUND', `the range asked of ${target} is beyond its end`);
  if (name === 'CredentialsProviderError') {
    return new StorageError('UNAVAILABLE', `no S3 credentials were found for bucket "${call.bucket}" (the SDK's default chain: environment, shared files, instance or container role)`);
  }
  if (CREDENTIALS_REFUSED.has(name)) {
    return new StorageError('UNAVAILABLE', `S3 at ${call.where} refused the credentials for ${call.op} on bucket "${call.bucket}" (${name})`);
  }
  if (status === 403) {
    // A HEAD's 403 has no body to say why; without s3:ListBucket, S3 also answers 403 for a missing key.
    return new StorageError('UNAVAILABLE', `S3 at ${call.where} refused the credentials for ${call.op} on bucket "${call.bucket}" (HTTP 403: wrong credentials, or they lack a permission such as s3:ListBucket)`);
  }
  if (THROTTLED.has(name) || status === 429 || status === 503) {
    return new StorageError('UNAVAILABLE', `S3 at ${call.where} is throttling ${call.op} on bucket "${call.bucket}" (${name || status}); retry later`);
  }
  const code = e.code ?? '';
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || code.startsWith('UND_ERR_')) {
    return new StorageError('UNAVAILABLE', `S3 at ${call.where} is unreachable (${code || name}) for ${call.op} on bucket "${call.bucket}"`, cause);
  }
  const detail = service ? `${name}${status ? `, HTTP ${status}` : ''}${e.$metadata?.requestId ? `, request ${e.$metadata.requestId}` : ''}` : `${name}: ${e.message ?? String(err)}`;
  return new StorageError('UNAVAILABLE', `S3 ${call.op} of ${target} at ${call.where} failed (${detail})`, cause);
}
