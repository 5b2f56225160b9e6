import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError } from '../../core/errors.js';
import type { Registry } from '../../registry/registry.js';
import type { AccessControl } from '../../auth/registry-access.js';
import { requestContext } from '../plugins/request-context.js';
import { authorizeOci } from './oci-auth.js';
import { getToken } from './token.handlers.js';
import { getBlob, removeBlob } from './blob.handlers.js';
import { getCatalog, getReferrers, getTags } from './listing.handlers.js';
import { deleteManifestHandler, getManifest, putManifestHandler } from './manifest.handlers.js';
import { ociErrorBody, OCI_ERRORS } from './oci-errors.js';
import { parseOciPath, type OciRoute } from './oci-path.js';
import type { OciExchange } from './oci-request.js';
import { deleteUpload, getUpload, patchUpload, postUpload, putUpload } from './upload.handlers.js';

export interface OciRoutesOptions {
  readonly registry: Registry;
  readonly access: AccessControl;
  /** BERTH_PUBLIC_URL when configured. */
  readonly publicUrl: string | undefined;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** On every /v2 answer, errors included: set by the handler and by sendOciError (cheaper than an onSend hook per request). */
const API_VERSION_HEADER = 'docker-distribution-api-version';
const API_VERSION = 'registry/2.0';

/** The OCI Distribution API under /v2. Bodies are left unread for the handlers to stream. */
export async function ociRoutes(app: FastifyInstance, options: OciRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.setErrorHandler((err, request, reply) => sendOciError(err, request, reply));
  app.setNotFoundHandler((request, reply) => sendOciError(new RegistryError('ROUTE_UNKNOWN', `no such endpoint: ${request.method} ${request.url.split('?')[0]}`), request, reply));

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.header(API_VERSION_HEADER, API_VERSION);
    const [path = '', search = ''] = request.url.slice(Math.min(request.url.length, '/v2/'.length)).split('?', 2);
    const route = parseOciPath(request.url.startsWith('/v2/') ? path : '');
    request.routeKind = route.kind;
    const query = new URLSearchParams(search);
    if (route.kind === 'token' && request.method === 'GET') return getToken(options.access, request, reply, query);
    const baseUrl = options.publicUrl ?? `${request.protocol}://${request.host}`;
    const authorized = await authorizeOci(options.access, request, route, query, baseUrl);
    const exchange: OciExchange = { registry: options.registry, ctx: requestContext(request, reply), request, reply, query, baseUrl, authorized };
    return dispatch(exchange, route, request.method);
  };
  app.route({ method: ['GET', 'HEAD'], url: '/v2', handler });
  app.route({ method: [...METHODS], url: '/v2/*', handler });
}

async function dispatch(x: OciExchange, route: OciRoute, method: string): Promise<void> {
  const read = method === 'GET' || method === 'HEAD';
  const head = method === 'HEAD';
  switch (route.kind) {
    case 'base':
      if (read) return void x.reply.code(200).header('content-type', 'application/json').send('{}');
      break;
    case 'catalog':
      if (method === 'GET') return getCatalog(x);
      break;
    case 'tags':
      if (method === 'GET') return getTags(x, route.name);
      break;
    case 'manifest':
      if (read) return getManifest(x, route.name, route.reference, head);
      if (method === 'PUT') return putManifestHandler(x, route.name, route.reference);
      if (method === 'DELETE') return deleteManifestHandler(x, route.name, route.reference);
      break;
    case 'blob':
      if (read) return getBlob(x, route.name, route.digest, head);
      if (method === 'DELETE') return removeBlob(x, route.name, route.digest);
      break;
    case 'uploads':
      if (method === 'POST') return postUpload(x, route.name);
      break;
    case 'upload':
      if (method === 'PATCH') return patchUpload(x, route.name, route.id);
      if (method === 'PUT') return putUpload(x, route.name, route.id);
      if (method === 'GET') return getUpload(x, route.name, route.id);
      if (method === 'DELETE') return deleteUpload(x, route.name, route.id);
      break;
    case 'referrers':
      if (method === 'GET') return getReferrers(x, route.name, route.digest);
      break;
    case 'unknown':
      throw new RegistryError('ROUTE_UNKNOWN', `no such endpoint: ${method} ${x.request.url.split('?')[0]}`);
  }
  throw new RegistryError('UNSUPPORTED', `${method} is not supported on ${x.request.url.split('?')[0]}`);
}

function sendOciError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  let error = toRegistryError(err, request);
  const mapped = OCI_ERRORS[error.code];
  if (mapped.status >= 500) request.log.error({ err }, 'request failed');
  else request.log.debug({ code: error.code, message: error.message }, 'request refused');
  if (error.code === 'RANGE_NOT_SATISFIABLE') {
    const size = (error.detail as { size?: number } | undefined)?.size;
    if (size !== undefined) reply.header('content-range', `bytes */${size}`);
  }
  const challenge = (error.detail as { challenge?: string } | undefined)?.challenge;
  if (error.code === 'UNAUTHORIZED' && challenge) {
    reply.header('www-authenticate', challenge);
    error = new RegistryError('UNAUTHORIZED', error.message);
  }
  const retryAfter = (error.detail as { retryAfter?: number } | undefined)?.retryAfter;
  if (error.code === 'THROTTLED' && retryAfter !== undefined) reply.header('retry-after', retryAfter);
  if (error.code === 'UPLOAD_OFFSET_INVALID') {
    const size = (error.detail as { size?: number } | undefined)?.size;
    if (size !== undefined) reply.header('range', `0-${Math.max(0, size - 1)}`);
  }
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  // The body is unread when a request fails early: close the connection rather than drain it.
  if (!request.raw.readableEnded && request.raw.readable) reply.header('connection', 'close');
  reply
    .header(API_VERSION_HEADER, API_VERSION)
    .code(mapped.status)
    .header('content-type', 'application/json')
    .send(JSON.stringify(ociErrorBody(mapped.code, error.message, error.detail)));
}

function toRegistryError(err: unknown, request: FastifyRequest): RegistryError {
  if (err instanceof RegistryError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const message = (err as Error).message;
    if (status === 413) return new RegistryError('SIZE_INVALID', message);
    return new RegistryError('UNSUPPORTED', message);
  }
  // A body that did not arrive whole. (A request stream is also destroyed once read to the end: not that.)
  const cutOff = !request.raw.complete && request.raw.destroyed;
  if (cutOff || (err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as Error).message === 'aborted') {
    return new RegistryError('BLOB_UPLOAD_INVALID', 'the client closed the connection before the body was complete');
  }
  return new RegistryError('INTERNAL', 'internal error; the server log has the details');
}
