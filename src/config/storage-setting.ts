import { ConfigError } from './config.js';

/** Where blob bytes live: a folder, or an S3 bucket (with an optional key prefix). */
export type StorageSetting =
  | { readonly kind: 'fs'; readonly root: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** '' or a prefix ending in '/'. */
      readonly prefix: string;
      readonly region: string;
      readonly endpoint: string | undefined;
      readonly forcePathStyle: boolean;
      /** Blob GETs answer 307 to a presigned URL instead of streaming the bytes through Berth. */
      readonly redirect: boolean;
      readonly serverSideEncryption: 'AES256' | 'aws:kms' | undefined;
      readonly sseKmsKeyId: string | undefined;
    };

const S3_PARAMETERS = new Set(['endpoint', 'region', 'forcePathStyle', 'redirect', 'sse', 'sseKmsKeyId']);
// S3's bucket naming rules (lowercase, digits, dots and hyphens, 3-63 characters).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * BERTH_STORAGE_URL: `s3://BUCKET[/PREFIX]?endpoint=…&region=…&forcePathStyle=true&redirect=true&sse=aws:kms&sseKmsKeyId=…`,
 * `file:PATH` or a plain path. `defaultRegion` applies when the URL names none.
 */
export function parseStorageSetting(value: string, resolvePath: (p: string) => string, defaultRegion: string): StorageSetting {
  const label = 'BERTH_STORAGE_URL';
  if (value.startsWith('file:')) return { kind: 'fs', root: resolvePath(value.slice('file:'.length)) };
  if (!value.startsWith('s3://')) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new ConfigError(`${label}: expected s3://BUCKET, file:PATH or a path, got "${value.split('?')[0]}"`);
    return { kind: 'fs', root: resolvePath(value) };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${label}: "${value.split('?')[0]}" is not a valid URL`);
  }
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) throw new ConfigError(`${label}: "${bucket}" is not a valid S3 bucket name (3-63 lowercase letters, digits, dots or hyphens)`);
  for (const name of url.searchParams.keys()) {
    if (!S3_PARAMETERS.has(name)) throw new ConfigError(`${label}: unknown parameter "${name}" (known: ${[...S3_PARAMETERS].join(', ')})`);
  }
  const query = (name: string): string | undefined => url.searchParams.get(name) ?? undefined;
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = query(name);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${label}: ${name} must be true or false, got "${raw}"`);
    return raw === 'true';
  };
  const endpoint = query('endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new ConfigError(`${label}: endpoint must be an http:// or https:// URL (URL-encoded in the query), got "${endpoint}"`);
  }
  const sse = query('sse');
  const sseKmsKeyId = query('sseKmsKeyId');
  if (sse !== undefined && sse !== 'AES256' && sse !== 'aws:kms') throw new ConfigError(`${label}: sse must be AES256 or aws:kms, got "${sse}"`);
  if (sseKmsKeyId !== undefined && sse === 'AES256') throw new ConfigError(`${label}: sseKmsKeyId needs sse=aws:kms, not AES256`);
  const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  return {
    kind: 's3',
    bucket,
    prefix: path === '' ? '' : `${path}/`,
    region: query('region') ?? defaultRegion,
    endpoint: endpoint?.replace(/\/+$/, ''),
    forcePathStyle: flag('forcePathStyle', false),
    redirect: flag('redirect', true),
    serverSideEncryption: sseKmsKeyId !== undefined ? 'aws:kms' : (sse as 'AES256' | 'aws:kms' | undefined),
    sseKmsKeyId,
  };
}
