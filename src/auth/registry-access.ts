import type { Clock } from '../core/clock.js';
import { RegistryError } from '../core/errors.js';
import { findRepositoryPolicyByName, resourceTagsOf } from '../metadata/repository-settings.repository.js';
import type { Identity } from './access-keys.service.js';
import { SCOPE_ACTIONS, type ScopeAction } from './actions.js';
import { FailedLogins } from './failed-logins.js';
import type { ConditionContext } from './policy/conditions.js';
import { evaluateAccess, type Decision } from './policy/evaluate.js';
import type { Policy } from './policy/parse-policy.js';
import { PolicyCache } from './policy/policy-cache.js';
import { findUserByName, userPolicyDocuments } from '../metadata/users.repository.js';
import { ANONYMOUS, rootPrincipal, userPrincipal, type Principal } from './principal.js';
import { verifyPassword, type PasswordClaims } from './tokens/authorization-token.js';
import { VerifiedTokens } from './tokens/verified-tokens.js';
import { issueBearerToken, verifyBearerToken, type BearerClaims } from './tokens/bearer-token.js';

/** What the data plane's access control works with; built once by compose.ts. */
export interface AccessControl {
  readonly identity: Identity;
  readonly region: string;
  readonly clock: Clock;
  readonly policies: PolicyCache;
  readonly passwords: VerifiedTokens<PasswordClaims>;
  readonly bearerTokens: VerifiedTokens<BearerClaims>;
  readonly failedLogins: FailedLogins;
  /** Authorization headers already taken apart, by their text (see parseAuthorization). */
  readonly authorizations: Map<string, RegistryCredentials | undefined>;
}

/** Credentials as a /v2 request (or the token endpoint) carries them. */
export type RegistryCredentials = { readonly kind: 'none' } | { readonly kind: 'basic'; readonly password: string } | { readonly kind: 'bearer'; readonly token: string };

/** Who is calling; with a bearer token, also what the token grants. */
export interface Caller {
  readonly principal: Principal;
  readonly grants: BearerClaims['access'] | undefined;
}

const NO_CREDENTIALS: RegistryCredentials = { kind: 'none' };
/** Headers remembered at most, and the longest remembered (a Basic ECR password is about 300 characters). */
const REMEMBERED_HEADERS = 1_000;
const REMEMBERED_HEADER_LENGTH = 1_024;

/**
 * The Authorization header taken apart; undefined when it is not a scheme we accept. A client sends the
 * same header on every request, so the answer is remembered by the header's text: decoding Basic's base64
 * each time was a measurable share of a manifest GET.
 */
export function parseAuthorization(access: AccessControl, header: string | undefined): RegistryCredentials | undefined {
  if (header === undefined || header === '') return NO_CREDENTIALS;
  if (header.length > REMEMBERED_HEADER_LENGTH) return credentialsIn(header);
  const remembered = access.authorizations.get(header);
  if (remembered !== undefined || access.authorizations.has(header)) return remembered;
  const credentials = credentialsIn(header);
  if (access.authorizations.size >= REMEMBERED_HEADERS) access.authorizations.clear();
  access.authorizations.set(header, credentials);
  return credentials;
}

function credentialsIn(header: string): RegistryCredentials | undefined {
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value) return { kind: 'bearer', token: value };
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // ECR's user name is always AWS; the password carries the principal.
  if (colon < 0 || decoded.slice(0, colon) !== 'AWS') return undefined;
  return { kind: 'basic', password: decoded.slice(colon + 1) };
}

/**
 * The caller behind the credentials: anonymous without any; CREDENTIALS_INVALID for a password or
 * token that this registry did not issue, that expired, or whose principal is gone.
 */
export async function identifyCaller(access: AccessControl, credentials: RegistryCredentials | undefined): Promise<Caller> {
  const now = access.clock.now().getTime();
  if (credentials === undefined) throw new RegistryError('CREDENTIALS_INVALID', 'the Authorization header must be Basic (user AWS, an ECR authorization token) or Bearer');
  if (credentials.kind === 'none') return { principal: ANONYMOUS, grants: undefined };
  if (credentials.kind === 'basic') {
    const claims = access.passwords.get(credentials.password, now, (p) => verifyPassword(access.identity.keyring, p, now));
    const principal = claims && (await principalOfArn(access, claims.principal));
    if (!principal) throw new RegistryError('CREDENTIALS_INVALID', 'the password is not a valid authorization token of this registry, or it has expired: get a new one with aws ecr get-login-password');
    return { principal, grants: undefined };
  }
  const claims = access.bearerTokens.get(credentials.token, now, (t) => verifyBearerToken(access.identity.keyring, t, now));
  const principal = claims && (claims.principal === '*' ? ANONYMOUS : await principalOfArn(access, claims.principal));
  if (!principal) throw new RegistryError('CREDENTIALS_INVALID', 'the bearer token is invalid or has expired');
  return { principal, grants: claims.access };
}

/** The principal an ARN names, when it still exists (a deleted user's tokens stop working). */
async function principalOfArn(access: AccessControl, arn: string): Promise<Principal | undefined> {
  const { accountId } = access.identity;
  if (arn === `arn:aws:iam::${accountId}:root`) return rootPrincipal(accountId);
  const name = new RegExp(`^arn:aws:iam::${accountId}:user/(?:.*/)?([^/]+)$`).exec(arn)?.[1];
  const user = name === undefined ? undefined : await findUserByName(access.identity.metadata.db, name);
  if (!user) return undefined;
  const principal = userPrincipal(accountId, user);
  return principal.kind === 'user' && principal.arn === arn ? principal : undefined;
}

/** The caller's identity policies: a user's inline policies (the root and anonymous have none). */
export async function identityPolicies(access: AccessControl, principal: Principal): Promise<Policy[]> {
  if (principal.kind !== 'user') return [];
  return (await userPolicyDocuments(access.identity.metadata.db, principal.id)).map((text) => access.policies.get(text, 'identity'));
}

/** The IAM decision for `action` on the repository (or on `*` for registry-wide actions). */
export async function decide(access: AccessControl, principal: Principal, action: string, repository: string | undefined, context: () => ConditionContext): Promise<Decision> {
  return (await decider(access, principal, repository, context))(action);
}

/**
 * The principal's decisions on one repository (or on `*`): the policies, and the resource tags when
 * a policy asks about them, are loaded once, then each action is evaluated in memory.
 */
export async function decider(
  access: AccessControl,
  principal: Principal,
  repository: string | undefined,
  context: () => ConditionContext,
): Promise<(action: string) => Decision> {
  const resourcePolicy = repository === undefined ? undefined : await repositoryPolicy(access, repository);
  const policies = await identityPolicies(access, principal);
  // The repository's resource tags are condition keys only when some policy asks about them (a query saved otherwise).
  const tagged = repository !== undefined && [...policies, ...(resourcePolicy ? [resourcePolicy] : [])].some(mentionsResourceTags);
  const tags = tagged ? await resourceTagsOf(access.identity.metadata.db, repository) : [];
  const resource = repository === undefined ? '*' : `arn:aws:ecr:${access.region}:${access.identity.accountId}:repository/${repository}`;
  const keys = withResourceTags(withPrincipalKeys(context, principal), tags);
  return (action) => evaluateAccess({ principal, action, resource, identityPolicies: policies, resourcePolicy, context: keys });
}

/** Whether a repository of that name exists (a push that would create one also needs ecr:CreateRepository). */
export async function repositoryExists(access: AccessControl, repository: string): Promise<boolean> {
  return (await findRepositoryPolicyByName(access.identity.metadata.db, repository)) !== undefined;
}

function mentionsResourceTags(policy: Policy): boolean {
  return policy.statements.some((s) => s.condition !== undefined && Object.values(s.condition).some((keys) => Object.keys(keys).some((k) => /resourcetag\//i.test(k))));
}

function withResourceTags(context: () => ConditionContext, tags: readonly { key: string; value: string }[]): () => ConditionContext {
  if (tags.length === 0) return context;
  return () => {
    const keys = new Map(context());
    for (const { key, value } of tags) {
      keys.set(`aws:resourcetag/${key.toLowerCase()}`, [value]);
      keys.set(`ecr:resourcetag/${key.toLowerCase()}`, [value]);
    }
    return keys;
  };
}

/** The IAM decision for an action on a resource that has no resource policy (IAM users, keys and policies). */
export async function decideOnIdentity(access: AccessControl, principal: Principal, action: string, resourceArn: string, context: () => ConditionContext): Promise<Decision> {
  return evaluateAccess({
    principal,
    action,
    resource: resourceArn,
    identityPolicies: await identityPolicies(access, principal),
    resourcePolicy: undefined,
    context: withPrincipalKeys(context, principal),
  });
}

/** The scope actions of a token request that the caller is allowed, by repository. */
export async function grantScopes(
  access: AccessControl,
  principal: Principal,
  requested: readonly { repository: string; actions: readonly ScopeAction[] }[],
  context: () => ConditionContext,
): Promise<Record<string, ScopeAction[]>> {
  const granted: Record<string, ScopeAction[]> = {};
  for (const { repository, actions } of requested) {
    const decideOn = await decider(access, principal, repository, context);
    for (const scope of actions) {
      // A scope is granted when any of its actions is allowed; each request is still checked by its own action.
      if (SCOPE_ACTIONS[scope].some((a) => decideOn(a) === 'allow')) (granted[repository] ??= []).push(scope);
    }
  }
  return granted;
}

export function issueToken(access: AccessControl, principal: Principal, granted: Record<string, ScopeAction[]>): { token: string; expiresIn: number } {
  return issueBearerToken(access.identity.keyring, { principal: principal.kind === 'anonymous' ? '*' : principal.arn, access: granted }, access.clock.now().getTime());
}

async function repositoryPolicy(access: AccessControl, repository: string): Promise<Policy | undefined> {
  const text = await findRepositoryPolicyByName(access.identity.metadata.db, repository);
  return text ? access.policies.get(text, 'repository') : undefined;
}

function withPrincipalKeys(context: () => ConditionContext, principal: Principal): () => ConditionContext {
  if (principal.kind === 'anonymous') return context;
  return () => {
    const keys = new Map(context());
    keys.set('aws:principalarn', [principal.arn]);
    keys.set('aws:userid', [principal.userId]);
    keys.set('aws:principalaccount', [principal.accountId]);
    if (principal.kind === 'user') keys.set('aws:username', [principal.userName]);
    return keys;
  };
}

/** The access control of a registry over `identity`. */
export function createAccessControl(identity: Identity, region: string, clock: Clock): AccessControl {
  return {
    identity,
    region,
    clock,
    policies: new PolicyCache(),
    passwords: new VerifiedTokens(),
    bearerTokens: new VerifiedTokens(),
    failedLogins: new FailedLogins(),
    authorizations: new Map(),
  };
}

/**
 * Runs an authentication step for a request from `source`: refused with THROTTLED (and the seconds to
 * wait) while the source is blocked; a failure with invalid credentials counts against it.
 */
export async function throttledAuthentication<T>(access: AccessControl, source: string, authenticate: () => Promise<T>): Promise<T> {
  const now = access.clock.now().getTime();
  const wait = access.failedLogins.retryAfterSeconds(source, now);
  if (wait > 0) throw new RegistryError('THROTTLED', `Too many failed authentications from ${source}; try again in ${wait} seconds`, { retryAfter: wait });
  try {
    return await authenticate();
  } catch (err) {
    if (err instanceof RegistryError && (err.code === 'CREDENTIALS_INVALID' || err.code === 'SIGNATURE_INVALID')) access.failedLogins.record(source, now);
    throw err;
  }
}
