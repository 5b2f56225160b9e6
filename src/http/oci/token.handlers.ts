import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ScopeAction } from '../../auth/actions.js';
import { grantScopes, identifyCaller, issueToken, parseAuthorization, throttledAuthentication, type AccessControl } from '../../auth/registry-access.js';
import { RegistryError } from '../../core/errors.js';
import { conditionKeys } from '../plugins/condition-keys.js';

const SCOPE_ACTIONS: readonly string[] = ['pull', 'push', 'delete'];

/**
 * GET /v2/token: the Docker token flow's token endpoint. Basic `AWS:<authorization token>`, or no
 * credentials (the anonymous principal), gets a short-lived bearer token holding the requested
 * scopes that the policies allow. A wrong password is 401, so `docker login` rejects it.
 */
export async function getToken(access: AccessControl, request: FastifyRequest, reply: FastifyReply, query: URLSearchParams): Promise<void> {
  const credentials = parseAuthorization(access, request.headers.authorization);
  if (credentials?.kind === 'bearer') throw new RegistryError('UNAUTHORIZED', 'the token endpoint takes Basic credentials (user AWS, an ECR authorization token) or none');
  let caller;
  try {
    caller = await throttledAuthentication(access, request.ip, () => identifyCaller(access, credentials));
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'CREDENTIALS_INVALID') throw new RegistryError('UNAUTHORIZED', err.message);
    throw err;
  }
  const requested = query.getAll('scope').flatMap((s) => s.split(' ')).flatMap(parseScope);
  const granted = await grantScopes(access, caller.principal, requested, conditionKeys(request));
  const { token, expiresIn } = issueToken(access, caller.principal, granted);
  reply
    .code(200)
    .header('content-type', 'application/json')
    .header('cache-control', 'no-store')
    .send(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date(access.clock.now()).toISOString() }));
}

/** `repository:<name>:<actions>`; other resource types (registry:catalog:*) grant nothing here. */
function parseScope(scope: string): { repository: string; actions: ScopeAction[] }[] {
  const match = /^repository(?:\([^)]*\))?:([^:]+):(.*)$/.exec(scope);
  if (!match) return [];
  const actions = match[2]!.split(',').flatMap((a) => (a === '*' ? ['pull', 'push', 'delete'] : [a])).filter((a) => SCOPE_ACTIONS.includes(a));
  return [{ repository: match[1]!, actions: [...new Set(actions)] as ScopeAction[] }];
}
