import { timingSafeEqual } from 'node:crypto';
import { RegistryError } from '../../core/errors.js';
import { ALGORITHM, canonicalRequest, signature } from './canonical.js';
import { headerValue, type SignedRequest, type SigV4Parameters } from './signed-request.js';

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Whether the request carries SigV4 at all (header or query form). */
export function isSigV4(request: SignedRequest): boolean {
  return (headerValue(request, 'authorization') ?? '').startsWith(`${ALGORITHM} `) || /(^|&)X-Amz-Algorithm=/.test(request.query);
}

/** The SigV4 parameters of the request; CREDENTIALS_MISSING without any, SIGNATURE_INVALID when malformed. */
export function parseSigV4(request: SignedRequest): SigV4Parameters {
  const authorization = headerValue(request, 'authorization');
  if (authorization?.startsWith(`${ALGORITHM} `)) return parseHeaderForm(request, authorization);
  const query = new URLSearchParams(request.query);
  if (query.get('X-Amz-Algorithm') !== null) return parseQueryForm(query);
  throw new RegistryError('CREDENTIALS_MISSING', 'Missing Authentication Token');
}

function parseHeaderForm(request: SignedRequest, authorization: string): SigV4Parameters {
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const amzDate = headerValue(request, 'x-amz-date');
  if (amzDate === undefined) throw malformed("the request has no X-Amz-Date header; SigV4 needs it");
  return parameters('header', fields.get('Credential'), fields.get('SignedHeaders'), fields.get('Signature'), amzDate, undefined);
}

function parseQueryForm(query: URLSearchParams): SigV4Parameters {
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) throw malformed(`X-Amz-Algorithm must be ${ALGORITHM}`);
  const expires = Number(query.get('X-Amz-Expires') ?? NaN);
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
    throw malformed(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`);
  }
  const amzDate = query.get('X-Amz-Date') ?? '';
  return parameters('query', query.get('X-Amz-Credential') ?? undefined, query.get('X-Amz-SignedHeaders') ?? undefined, query.get('X-Amz-Signature') ?? undefined, amzDate, expires);
}

function parameters(
  form: SigV4Parameters['form'],
  credential: string | undefined,
  signedHeaders: string | undefined,
  signatureHex: string | undefined,
  amzDate: string,
  expiresSeconds: number | undefined,
): SigV4Parameters {
  const scope = credential?.split('/') ?? [];
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !scope[0]) {
    throw malformed("Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request");
  }
  if (!signedHeaders || !signatureHex || !/^[0-9a-f]{64}$/.test(signatureHex)) throw malformed('SignedHeaders and a hex Signature are required');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) throw malformed(`X-Amz-Date must look like 20261201T120000Z, got "${amzDate.slice(0, 40)}"`);
  return {
    form,
    accessKeyId: scope[0],
    scopeDate: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature: signatureHex,
    amzDate,
    expiresSeconds,
  };
}

export interface VerifyOptions {
  /** The region requests must be scoped to (the first one named in the error), or the regions. */
  readonly region: string | readonly string[];
  readonly now: Date;
  /** The secret of an active key, or undefined for an unknown or inactive one. */
  readonly secretOf: (accessKeyId: string) => Promise<string | undefined>;
}

/**
 * Verifies the request's signature and returns its parameters. CREDENTIALS_INVALID for an unknown
 * or inactive key; SIGNATURE_INVALID for a wrong signature, a scope that doesn't match, more than
 * 15 minutes of clock skew, or an expired presigned request.
 */
export async function verifySigV4(request: SignedRequest, params: SigV4Parameters, options: VerifyOptions): Promise<SigV4Parameters> {
  if (params.scopeDate !== params.amzDate.slice(0, 8)) throw malformed(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${params.scopeDate}' != '${params.amzDate.slice(0, 8)}'`);
  const regions = typeof options.region === 'string' ? [options.region] : options.region;
  if (!regions.includes(params.region)) {
    throw malformed(`Credential should be scoped to a valid region, not '${params.region}'. This registry's region is '${regions[0]}'.`);
  }
  if (!params.signedHeaders.includes('host')) throw malformed("'Host' must be a signed header");
  checkTime(params, options.now);
  const secret = await options.secretOf(params.accessKeyId);
  if (secret === undefined) throw new RegistryError('CREDENTIALS_INVALID', 'The security token included in the request is invalid.');
  const expected = signature(secret, params, canonicalRequest(request, params, payloadHash(request, params)));
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(params.signature))) {
    throw new RegistryError(
      'SIGNATURE_INVALID',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return params;
}

function payloadHash(request: SignedRequest, params: SigV4Parameters): string {
  const declared = headerValue(request, 'x-amz-content-sha256');
  if (declared === 'UNSIGNED-PAYLOAD') return declared;
  if (declared !== undefined && declared !== request.bodySha256) throw malformed('x-amz-content-sha256 does not match the body');
  return params.form === 'query' && request.bodySha256 === EMPTY_SHA256 && declared === undefined ? EMPTY_SHA256 : request.bodySha256;
}

function checkTime(params: SigV4Parameters, now: Date): void {
  const signedAt = Date.UTC(
    Number(params.amzDate.slice(0, 4)),
    Number(params.amzDate.slice(4, 6)) - 1,
    Number(params.amzDate.slice(6, 8)),
    Number(params.amzDate.slice(9, 11)),
    Number(params.amzDate.slice(11, 13)),
    Number(params.amzDate.slice(13, 15)),
  );
  const nowMs = now.getTime();
  if (params.expiresSeconds !== undefined) {
    if (nowMs > signedAt + params.expiresSeconds * 1000) throw malformed(`Signature expired: the presigned request was valid until ${stamp(signedAt + params.expiresSeconds * 1000)}, and it is now ${stamp(nowMs)}`);
    if (signedAt - nowMs > MAX_SKEW_MS) throw malformed(`Signature not yet current: ${params.amzDate} is still later than ${stamp(nowMs + MAX_SKEW_MS)} (${stamp(nowMs)} + 15 min.)`);
    return;
  }
  if (nowMs - signedAt > MAX_SKEW_MS) throw malformed(`Signature expired: ${params.amzDate} is now earlier than ${stamp(nowMs - MAX_SKEW_MS)} (${stamp(nowMs)} - 15 min.)`);
  if (signedAt - nowMs > MAX_SKEW_MS) throw malformed(`Signature not yet current: ${params.amzDate} is still later than ${stamp(nowMs + MAX_SKEW_MS)} (${stamp(nowMs)} + 15 min.)`);
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function malformed(message: string): RegistryError {
  return new RegistryError('SIGNATURE_INVALID', message);
}
