import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RegistryError } from '../../core/errors.js';
import { credentialScope, signature, canonicalRequest } from './canonical.js';
import type { SignedRequest, SigV4Parameters } from './signed-request.js';
import { parseSigV4, verifySigV4 } from './verify.js';

// Requests captured from AWS CLI v1 and v2, boto3 and the JS SDK (../shared/fixtures/sigv4).
const LOG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/fixtures/sigv4/captured-requests.log');
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

interface Captured {
  readonly request: SignedRequest;
  readonly body: string;
}

function request(method: string, target: string, headers: [string, string][], body: string): SignedRequest {
  const map = new Map<string, string[]>();
  for (const [name, value] of headers) map.set(name.toLowerCase(), [...(map.get(name.toLowerCase()) ?? []), value]);
  const q = target.indexOf('?');
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers: map,
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
}

function capturedRequests(): Captured[] {
  return readFileSync(LOG, 'utf8')
    .split(/^----- request #\d+.*\n/m)
    .slice(1)
    .map((block) => {
      const headEnd = block.indexOf('\r\n\r\n');
      const [requestLine, ...headerLines] = block.slice(0, headEnd).split('\r\n');
      const [method, target] = requestLine!.split(' ');
      const headers = headerLines.map((line): [string, string] => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon), line.slice(colon + 1).trim()];
      });
      const length = Number(headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1] ?? 0);
      const body = block.slice(headEnd + 4, headEnd + 4 + length);
      return { request: request(method!, target!, headers, body), body };
    });
}

function nowOf(params: SigV4Parameters, offsetMs = 0): Date {
  const d = params.amzDate;
  return new Date(Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(9, 11), +d.slice(11, 13), +d.slice(13, 15)) + offsetMs);
}

const secretOf = async (id: string): Promise<string | undefined> => (id === KEY_ID ? SECRET : undefined);

function rejectsWith(code: string, pattern?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof RegistryError, String(err));
    assert.equal(err.code, code);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

test('every captured request of the AWS CLIs, boto3 and the JS SDK verifies', async () => {
  const captured = capturedRequests();
  assert.ok(captured.length >= 15, `only ${captured.length} requests parsed`);
  for (const { request: r } of captured) {
    const params = parseSigV4(r);
    assert.equal(params.service, 'ecr');
    await verifySigV4(r, params, { region: params.region, now: nowOf(params), secretOf });
  }
});

test('a changed body, a wrong secret, an unknown key or a foreign region is refused', async () => {
  const r = capturedRequests()[0]!.request;
  const params = parseSigV4(r);
  const now = nowOf(params);
  await assert.rejects(verifySigV4({ ...r, bodySha256: createHash('sha256').update('{"x":1}').digest('hex') }, params, { region: 'us-east-1', now, secretOf }), rejectsWith('SIGNATURE_INVALID', /does not match/));
  await assert.rejects(verifySigV4(r, params, { region: 'us-east-1', now, secretOf: async () => 'not-the-secret' }), rejectsWith('SIGNATURE_INVALID'));
  await assert.rejects(verifySigV4(r, params, { region: 'us-east-1', now, secretOf: async () => undefined }), rejectsWith('CREDENTIALS_INVALID', /security token included in the request is invalid/));
  await assert.rejects(verifySigV4(r, params, { region: 'eu-central-1', now, secretOf }), rejectsWith('SIGNATURE_INVALID', /scoped to a valid region, not 'us-east-1'/));
});

test('more than 15 minutes of clock skew either way is refused', async () => {
  const r = capturedRequests()[0]!.request;
  const params = parseSigV4(r);
  await verifySigV4(r, params, { region: 'us-east-1', now: nowOf(params, 14 * 60_000), secretOf });
  await assert.rejects(verifySigV4(r, params, { region: 'us-east-1', now: nowOf(params, 16 * 60_000), secretOf }), rejectsWith('SIGNATURE_INVALID', /Signature expired/));
  await assert.rejects(verifySigV4(r, params, { region: 'us-east-1', now: nowOf(params, -16 * 60_000), secretOf }), rejectsWith('SIGNATURE_INVALID', /not yet current/));
});

test('no credentials at all is CREDENTIALS_MISSING; a malformed header is SIGNATURE_INVALID', () => {
  assert.throws(() => parseSigV4(request('POST', '/', [['Host', 'h']], '')), rejectsWith('CREDENTIALS_MISSING', /Missing Authentication Token/));
  assert.throws(
    () => parseSigV4(request('POST', '/', [['Host', 'h'], ['X-Amz-Date', '20261128T140541Z'], ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKID/x, Signature=zz']], '')),
    rejectsWith('SIGNATURE_INVALID', /Credential must be/),
  );
});

test('the query-string form verifies, and expires after X-Amz-Expires', async () => {
  const amzDate = '20261201T120000Z';
  const scope = { scopeDate: amzDate.slice(0, 8), region: 'us-east-1', service: 'ecr' };
  const query = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Credential=${encodeURIComponent(`${KEY_ID}/${credentialScope(scope)}`)}`,
    `X-Amz-Date=${amzDate}`,
    'X-Amz-Expires=300',
    'X-Amz-SignedHeaders=host',
  ].join('&');
  const unsigned = request('GET', `/v2/?${query}`, [['Host', '127.0.0.1:5000']], '');
  const params: SigV4Parameters = { form: 'query', accessKeyId: KEY_ID, ...scope, signedHeaders: ['host'], signature: '0'.repeat(64), amzDate, expiresSeconds: 300 };
  const sig = signature(SECRET, params, canonicalRequest(unsigned, params, unsigned.bodySha256));
  const signed = request('GET', `/v2/?${query}&X-Amz-Signature=${sig}`, [['Host', '127.0.0.1:5000']], '');
  const parsed = parseSigV4(signed);
  assert.equal(parsed.form, 'query');
  const at = new Date(Date.UTC(2026, 11, 1, 12, 0, 0));
  await verifySigV4(signed, parsed, { region: 'us-east-1', now: new Date(at.getTime() + 299_000), secretOf });
  await assert.rejects(verifySigV4(signed, parsed, { region: 'us-east-1', now: new Date(at.getTime() + 301_000), secretOf }), rejectsWith('SIGNATURE_INVALID', /expired/));
});
