import type { FastifyReply, FastifyRequest } from 'fastify';
import { decideOnIdentity, identifyCaller, parseAuthorization, throttledAuthentication, type AccessControl } from '../../auth/registry-access.js';
import { RegistryError } from '../../core/errors.js';
import { conditionKeys } from '../plugins/condition-keys.js';

/**
 * Berth's own JSON API (/api/…) takes the credentials /v2 takes (Basic AWS:<authorization token>, or a
 * bearer token) and checks one IAM action on one resource against the caller's identity policies.
 */
export async function authorizeApi(access: AccessControl, request: FastifyRequest, action: string, resource: string): Promise<void> {
  const caller = await throttledAuthentication(access, request.ip, () => identifyCaller(access, parseAuthorization(access, request.headers.authorization)));
  if (caller.principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', 'authentication required: Basic AWS:<authorization token>');
  if ((await decideOnIdentity(access, caller.principal, action, resource, conditionKeys(request))) !== 'allow') {
    throw new RegistryError('DENIED', `not authorized to perform ${action} on ${resource}`);
  }
}

const API_STATUS: Partial<Record<string, number>> = {
  UNAUTHORIZED: 401,
  CREDENTIALS_INVALID: 401,
  DENIED: 403,
  THROTTLED: 429,
  UNAVAILABLE: 503,
  NAME_UNKNOWN: 404,
  MANIFEST_UNKNOWN: 404,
  SCAN_NOT_FOUND: 404,
};

/** Errors of /api/… as `{ code, message }` with a fitting status. */
export function apiErrorHandler(err: unknown, _request: FastifyRequest, reply: FastifyReply): void {
  const error = err instanceof RegistryError ? err : undefined;
  const status = error ? (API_STATUS[error.code] ?? 400) : 500;
  if (status === 401) reply.header('www-authenticate', 'Basic realm="Berth"');
  reply.code(status).send({ code: error?.code ?? 'INTERNAL', message: error?.message ?? 'internal error; the server log has the details' });
}
