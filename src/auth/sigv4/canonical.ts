import { createHash, createHmac } from 'node:crypto';
import type { SignedRequest, SigV4Parameters } from './signed-request.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper case). */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The canonical URI for services other than S3: each segment of the path as sent is encoded once
 * more (the SDKs sign the already-encoded path), and an empty path is "/".
 */
export function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => encodeRfc3986(segment))
    .join('/');
}

/** Query pairs decoded, re-encoded, sorted by name then value; the signature itself left out. */
export function canonicalQuery(query: string, omit: string | undefined): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = decodeLoosely(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? '' : decodeLoosely(part.slice(eq + 1));
      return [encodeRfc3986(name), encodeRfc3986(value)] as const;
    })
    .filter(([name]) => name !== omit);
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function canonicalHeaderValue(values: readonly string[]): string {
  return values.map((value) => value.trim().replace(/\s+/g, ' ')).join(',');
}

/** The canonical request of SigV4 (the AWS General Reference, "Create a canonical request"). */
export function canonicalRequest(request: SignedRequest, params: SigV4Parameters, payloadHash: string): string {
  const headers = params.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request.headers.get(name) ?? [])}\n`).join('');
  return [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query, params.form === 'query' ? 'X-Amz-Signature' : undefined),
    headers,
    params.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function credentialScope(params: Pick<SigV4Parameters, 'scopeDate' | 'region' | 'service'>): string {
  return `${params.scopeDate}/${params.region}/${params.service}/aws4_request`;
}

export function stringToSign(params: SigV4Parameters, canonical: string): string {
  return [ALGORITHM, params.amzDate, credentialScope(params), createHash('sha256').update(canonical).digest('hex')].join('\n');
}

/** HMAC chain from the secret to the signing key of the scope. */
export function signingKey(secret: string, params: Pick<SigV4Parameters, 'scopeDate' | 'region' | 'service'>): Buffer {
  const date = createHmac('sha256', `AWS4${secret}`).update(params.scopeDate).digest();
  const region = createHmac('sha256', date).update(params.region).digest();
  const service = createHmac('sha256', region).update(params.service).digest();
  return createHmac('sha256', service).update('aws4_request').digest();
}

export function signature(secret: string, params: SigV4Parameters, canonical: string): string {
  return createHmac('sha256', signingKey(secret, params)).update(stringToSign(params, canonical)).digest('hex');
}
