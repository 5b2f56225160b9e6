import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SignedRequest } from '../../auth/sigv4/signed-request.js';

/** The request as SigV4 sees it: the path and query exactly as sent, headers by lower-case name. */
export function signedRequestOf(request: FastifyRequest, body: Buffer): SignedRequest {
  const headers = new Map<string, string[]>();
  const raw = request.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const values = headers.get(name);
    if (values) values.push(raw[i + 1]!);
    else headers.set(name, [raw[i + 1]!]);
  }
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: request.method,
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    headers,
    bodySha256: createHash('sha256').update(body).digest('hex'),
  };
}
