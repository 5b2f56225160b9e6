import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { canonicalRequest, credentialScope, signature } from '../../src/auth/sigv4/canonical.js';
import type { SignedRequest, SigV4Parameters } from '../../src/auth/sigv4/signed-request.js';
import type { KeyPair } from '../../src/auth/access-keys.service.js';
import { ROOT_KEY, TEST_REGION, type Injector } from './test-registry.js';

export interface EcrCallOptions {
  readonly key?: KeyPair;
  readonly region?: string;
  readonly date?: Date;
  /** Sent unsigned, to test what the server does without credentials. */
  readonly unsigned?: boolean;
  /** Replaces the body after signing. */
  readonly tamperedBody?: string;
  readonly rawBody?: string;
}

export interface EcrResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The exception name for an error (`__type`). */
  readonly error: string | undefined;
  readonly raw: LightMyRequestResponse;
}

/** Adds SigV4 (header form, as the AWS SDKs sign) for `service` to `headers`, unless `unsigned`. */
export function signHeaders(service: string, headers: Record<string, string>, body: string, options: EcrCallOptions = {}): Record<string, string> {
  const key = options.key ?? ROOT_KEY;
  const amzDate = (options.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const all: Record<string, string> = { ...headers, 'x-amz-date': amzDate };
  if (options.unsigned) return all;
  const signedHeaders = Object.keys(all).map((h) => h.toLowerCase()).sort();
  const params: SigV4Parameters = {
    form: 'header',
    accessKeyId: key.accessKeyId,
    scopeDate: amzDate.slice(0, 8),
    region: options.region ?? TEST_REGION,
    service,
    signedHeaders,
    signature: '',
    amzDate,
    expiresSeconds: undefined,
  };
  const request: SignedRequest = {
    method: 'POST',
    path: '/',
    query: '',
    headers: new Map(Object.entries(all).map(([k, v]) => [k.toLowerCase(), [v]])),
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
  const sig = signature(key.secretAccessKey, params, canonicalRequest(request, params, request.bodySha256));
  all.authorization = `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${credentialScope(params)}, SignedHeaders=${signedHeaders.join(';')}, Signature=${sig}`;
  return all;
}

/** The headers of an ECR call, signed with SigV4 (unless `unsigned`). */
export function ecrHeaders(operation: string, body: string, host: string, options: EcrCallOptions = {}): Record<string, string> {
  return signHeaders('ecr', { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${operation}` }, body, options);
}

/** Calls an IAM or STS action (AWS Query protocol) on the in-process app; returns the status and the XML. */
export async function query(app: Injector, service: 'iam' | 'sts', action: string, params: Record<string, string> = {}, options: EcrCallOptions = {}): Promise<{ status: number; xml: string; code: string | undefined }> {
  const body = new URLSearchParams({ Action: action, Version: service === 'iam' ? '2010-05-08' : '2011-06-15', ...params }).toString();
  const headers = signHeaders(service, { host: 'localhost:80', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body, options);
  const raw = await app.inject({ method: 'POST', url: '/', headers, payload: body });
  return { status: raw.statusCode, xml: raw.body, code: /<Code>([^<]+)<\/Code>/.exec(raw.body)?.[1] };
}

/** Calls an ECR operation on the in-process app. */
export async function ecr(app: Injector, operation: string, input: unknown = {}, options: EcrCallOptions = {}): Promise<EcrResponse> {
  const body = options.rawBody ?? JSON.stringify(input);
  const headers = ecrHeaders(operation, body, 'localhost:80', options);
  const raw = await app.inject({ method: 'POST', url: '/', headers, payload: options.tamperedBody ?? body });
  const parsed = raw.body ? (JSON.parse(raw.body) as Record<string, unknown>) : {};
  return { status: raw.statusCode, body: parsed, error: typeof parsed.__type === 'string' ? parsed.__type : undefined, raw };
}
