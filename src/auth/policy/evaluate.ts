import type { Principal } from '../principal.js';
import { conditionHolds, type ConditionContext } from './conditions.js';
import type { Policy, PolicyPrincipal, Statement } from './parse-policy.js';

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export interface AccessRequest {
  readonly principal: Principal;
  /** `ecr:BatchGetImage`, … */
  readonly action: string;
  /** The repository ARN, or `*` for registry-wide operations. */
  readonly resource: string;
  /** The caller's identity policies (a user's inline policies). */
  readonly identityPolicies: readonly Policy[];
  /** The repository policy, when the resource is a repository that has one. */
  readonly resourcePolicy: Policy | undefined;
  /** The condition keys, built on first use: most decisions meet no condition. */
  readonly context: () => ConditionContext;
}

/**
 * IAM's evaluation within one account: an explicit Deny in any policy wins; then an Allow from an
 * identity policy or from the resource policy; otherwise the request is denied. The account root is
 * allowed what no Deny of the resource policy refuses. The anonymous principal is matched only by
 * `"Principal": "*"`.
 */
export function evaluateAccess(request: AccessRequest): Decision {
  // No policy at all (the root on a repository without a policy): nothing to evaluate, nothing to allocate.
  if (request.resourcePolicy === undefined && request.identityPolicies.length === 0) return request.principal.kind === 'root' ? 'allow' : 'implicit-deny';
  const identity = request.principal.kind === 'anonymous' ? [] : request.identityPolicies.flatMap((p) => p.statements);
  const resource = request.resourcePolicy?.statements.filter((s) => principalMatches(s, request.principal)) ?? [];
  const applicable = [...identity, ...resource].filter((s) => statementApplies(s, request));
  if (applicable.some((s) => s.effect === 'Deny')) return 'explicit-deny';
  if (request.principal.kind === 'root') return 'allow';
  return applicable.some((s) => s.effect === 'Allow') ? 'allow' : 'implicit-deny';
}

function statementApplies(statement: Statement, request: AccessRequest): boolean {
  const actionMatches = statement.actions
    ? statement.actions.some((p) => wildcard(p, request.action, true))
    : !statement.notActions!.some((p) => wildcard(p, request.action, true));
  if (!actionMatches) return false;
  // A resource policy without Resource applies to the resource it is attached to.
  if (statement.resources && !statement.resources.some((p) => wildcard(p, request.resource, false))) return false;
  if (statement.notResources?.some((p) => wildcard(p, request.resource, false))) return false;
  for (const [operator, keys] of Object.entries(statement.condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      if (!conditionHolds(operator, key, expected, request.context())) return false;
    }
  }
  return true;
}

function principalMatches(statement: Statement, principal: Principal): boolean {
  if (statement.principal) return principalIn(statement.principal, principal);
  return !principalIn(statement.notPrincipal!, principal);
}

function principalIn(element: PolicyPrincipal, principal: Principal): boolean {
  if (element === '*') return true;
  if (principal.kind === 'anonymous') return false;
  return (element.AWS ?? []).some((entry) => {
    if (entry === '*') return true;
    // An account (by id or root ARN) names the account itself; its users are granted by identity policies.
    if (entry === principal.accountId || entry === `arn:aws:iam::${principal.accountId}:root`) return principal.kind === 'root';
    return wildcard(entry, principal.arn, false);
  });
}

/** IAM's wildcards: `*` any run of characters, `?` one character. Actions compare case-insensitively. */
export function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}
