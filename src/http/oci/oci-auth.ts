import type { FastifyRequest } from 'fastify';
import { MOUNT_SOURCE_ACTIONS, requiredAccess, type ScopeAction } from '../../auth/actions.js';
import { decide, decider, identifyCaller, parseAuthorization, repositoryExists, throttledAuthentication, type AccessControl, type Caller } from '../../auth/registry-access.js';
import { looksLikeDigest } from '../../core/digest.js';
import { RegistryError } from '../../core/errors.js';
import { conditionKeys } from '../plugins/condition-keys.js';
import type { OciRoute } from './oci-path.js';

/** What a /v2 request may do, once authorized. */
export interface Authorized {
  readonly caller: Caller;
  /** For a mount: whether the caller may read the source repository (else the upload proceeds unmounted). */
  readonly mountAllowed: boolean;
  /** Whether the caller may describe the repository (catalog filtering). */
  canDescribe(repository: string): Promise<boolean>;
}

/**
 * Authenticates and authorizes a /v2 request (INTERFACES.md, "Registry authentication"). Throws
 * UNAUTHORIZED (401 with the Bearer challenge) when credentials are missing, invalid or short of
 * the needed scope, and DENIED (403) when an authenticated caller is not allowed.
 */
export async function authorizeOci(access: AccessControl, request: FastifyRequest, route: OciRoute, query: URLSearchParams, baseUrl: string): Promise<Authorized> {
  const challenge = (scope: ScopeAction[] | undefined, error?: string) => ({ challenge: bearerChallenge(baseUrl, request, route, scope, error) });
  let caller: Caller;
  try {
    caller = await throttledAuthentication(access, request.ip, () => identifyCaller(access, parseAuthorization(access, request.headers.authorization)));
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'CREDENTIALS_INVALID') throw new RegistryError('UNAUTHORIZED', err.message, challenge(undefined));
    throw err;
  }
  const imageTag = route.kind === 'manifest' && request.method === 'PUT' && !looksLikeDigest(route.reference) ? route.reference : undefined;
  const context = conditionKeys(request, imageTag);
  const allowed = async (action: string, repository: string | undefined): Promise<boolean> => (await decide(access, caller.principal, action, repository, context)) === 'allow';
  const base: Authorized = { caller, mountAllowed: false, canDescribe: (name) => allowed('ecr:DescribeRepositories', name) };
  if (route.kind === 'unknown' || route.kind === 'token') return base;
  if (route.kind === 'base') {
    if (caller.principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', 'authentication required: docker login with user AWS and an ECR authorization token', challenge(undefined));
    return base;
  }
  const needed = requiredAccess(route.kind, request.method);
  if (!needed) return base;
  if (route.kind === 'catalog') {
    if (caller.principal.kind === 'anonymous' && !caller.grants) throw new RegistryError('UNAUTHORIZED', 'authentication required to list repositories', challenge(undefined));
    return base;
  }
  const name = route.name;
  const scopes: ScopeAction[] = needed.scope === 'pull' ? ['pull'] : needed.scope === 'push' ? ['pull', 'push'] : ['delete'];
  if (caller.grants && !(caller.grants[name] ?? []).includes(needed.scope)) {
    throw new RegistryError('UNAUTHORIZED', `the token does not grant ${needed.scope} on repository "${name}"`, challenge(scopes, 'insufficient_scope'));
  }
  const onRepository = await decider(access, caller.principal, name, context);
  if (onRepository(needed.action) !== 'allow') {
    if (caller.principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', `authentication required for ${needed.action} on repository "${name}"`, challenge(scopes));
    throw new RegistryError('DENIED', `User: ${caller.principal.arn} is not authorized to perform: ${needed.action} on resource: repository "${name}"`);
  }
  // A push that creates its repository (create-on-push) also needs ecr:CreateRepository, as INTERFACES.md says.
  const creates = (route.kind === 'uploads' || (route.kind === 'manifest' && request.method === 'PUT')) && caller.principal.kind !== 'root';
  if (creates && onRepository('ecr:CreateRepository') !== 'allow' && !(await repositoryExists(access, name))) {
    throw new RegistryError('DENIED', `User: ${caller.principal.kind === 'anonymous' ? 'anonymous' : caller.principal.arn} is not authorized to perform: ecr:CreateRepository on resource: repository "${name}"`);
  }
  const from = route.kind === 'uploads' && query.get('mount') !== null ? query.get('from') : null;
  const onSource = from !== null && (!caller.grants || (caller.grants[from] ?? []).includes('pull')) ? await decider(access, caller.principal, from, context) : undefined;
  const mountAllowed = onSource !== undefined && MOUNT_SOURCE_ACTIONS.every((action) => onSource(action) === 'allow');
  return { ...base, mountAllowed };
}

/** `WWW-Authenticate: Bearer realm=…,service=…,scope=…` that sends Docker clients to /v2/token. */
function bearerChallenge(baseUrl: string, request: FastifyRequest, route: OciRoute, scopes: ScopeAction[] | undefined, error: string | undefined): string {
  const parts = [`realm="${baseUrl}/v2/token"`, `service="${request.host}"`];
  if (scopes && 'name' in route) parts.push(`scope="repository:${route.name}:${scopes.join(',')}"`);
  if (error) parts.push(`error="${error}"`);
  return `Bearer ${parts.join(',')}`;
}
