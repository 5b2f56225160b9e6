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

/** The headers of an ECR call, signed with SigV4 as the AWS SDKs sign it (unless `unsigned`). */
export function ecrHeaders(operation: string, body: string, host: string, options: EcrCallOptions = {}): Record<string, string> {
  const key = options.key ?? ROOT_KEY;
  const amzDate = (options.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const headers: Record<string, string> = {
    host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${operation}`,
    'x-amz-date': amzDate,
  };
  if (options.unsigned) return headers;
  const params: SigV4Parameters = {
    form: 'header',
    accessKeyId: key.accessKeyId,
    scopeDate: amzDate.slice(0, 8),
    region: options.region ?? TEST_REGION,
    service: 'ecr',
    signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
    signature: '',
    amzDate,
    expiresSeconds: undefined,
  };
  const request: SignedRequest = {
    method: 'POST',
    path: '/',
    query: '',
    headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])),
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
  const sig = signature(key.secretAccessKey, params, canonicalRequest(request, params, request.bodySha256));
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${credentialScope(params)}, SignedHeaders=${params.signedHeaders.join(';')}, Signature=${sig}`;
  return headers;
}

/** Calls an ECR operation on the in-process app. */
export async function ecr(app: Injector, operation: string, input: unknown = {}, options: EcrCallOptions = {}): Promise<EcrResponse> {
  const body = options.rawBody ?? JSON.stringify(input);
  const headers = ecrHeaders(operation, body, 'localhost:80', options);
  const raw = await app.inject({ method: 'POST', url: '/', headers, payload: options.tamperedBody ?? body });
  const parsed = raw.body ? (JSON.parse(raw.body) as Record<string, unknown>) : {};
  return { status: raw.statusCode, body: parsed, error: typeof parsed.__type === 'string' ? parsed.__type : undefined, raw };
}
