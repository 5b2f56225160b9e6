import { RegistryError } from '../../core/errors.js';
import { isKnownOperator } from './conditions.js';

export type Effect = 'Allow' | 'Deny';

/** A principal element: `*`, or lists of ARNs (or account ids) by kind. */
export type PolicyPrincipal = '*' | { readonly AWS?: readonly string[] };

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Exactly one of actions and notActions is set. */
  readonly actions: readonly string[] | undefined;
  readonly notActions: readonly string[] | undefined;
  readonly resources: readonly string[] | undefined;
  readonly notResources: readonly string[] | undefined;
  readonly principal: PolicyPrincipal | undefined;
  readonly notPrincipal: PolicyPrincipal | undefined;
  /** operator → key → values, as written. */
  readonly condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined;
}

export interface Policy {
  readonly version: string | undefined;
  readonly statements: readonly Statement[];
}

export type PolicyKind = 'identity' | 'repository' | 'registry';

const VERSIONS = ['2012-10-17', '2008-10-17'];

/**
 * Parses an IAM policy document and checks its grammar for where it is used: a resource policy
 * (repository, registry) needs a Principal; an identity policy must not have one and needs Resource.
 * Throws INVALID_PARAMETER naming what is wrong.
 */
export function parsePolicy(text: string, kind: PolicyKind): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid(kind, 'the policy is not valid JSON');
  }
  if (!isObject(doc)) throw invalid(kind, 'the policy must be a JSON object');
  const version = doc.Version;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.includes(version))) throw invalid(kind, `Version must be ${VERSIONS.join(' or ')}`);
  const raw = doc.Statement;
  if (raw === undefined) throw invalid(kind, 'the policy has no Statement');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw invalid(kind, 'Statement must not be empty');
  return { version: version as string | undefined, statements: list.map((s, i) => parseStatement(s, i, kind)) };
}

function parseStatement(raw: unknown, index: number, kind: PolicyKind): Statement {
  const where = `Statement ${index + 1}`;
  if (!isObject(raw)) throw invalid(kind, `${where} must be an object`);
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') throw invalid(kind, `${where}: Effect must be Allow or Deny`);
  const actions = stringList(raw.Action, kind, `${where}: Action`);
  const notActions = stringList(raw.NotAction, kind, `${where}: NotAction`);
  if ((actions === undefined) === (notActions === undefined)) throw invalid(kind, `${where} needs exactly one of Action and NotAction`);
  for (const action of [...(actions ?? []), ...(notActions ?? [])]) {
    if (action !== '*' && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(action)) throw invalid(kind, `${where}: "${action}" is not an action (service:Operation)`);
  }
  const resources = stringList(raw.Resource, kind, `${where}: Resource`);
  const notResources = stringList(raw.NotResource, kind, `${where}: NotResource`);
  const principal = parsePrincipal(raw.Principal, kind, `${where}: Principal`);
  const notPrincipal = parsePrincipal(raw.NotPrincipal, kind, `${where}: NotPrincipal`);
  if (kind === 'identity') {
    if (principal || notPrincipal) throw invalid(kind, `${where}: an identity policy must not name a Principal`);
    if (!resources && !notResources) throw invalid(kind, `${where} needs a Resource`);
  } else if (!principal && !notPrincipal) {
    throw invalid(kind, `${where} needs a Principal`);
  }
  const sid = raw.Sid;
  if (sid !== undefined && typeof sid !== 'string') throw invalid(kind, `${where}: Sid must be a string`);
  return { sid, effect, actions, notActions, resources, notResources, principal, notPrincipal, condition: parseCondition(raw.Condition, kind, where) };
}

function parsePrincipal(raw: unknown, kind: PolicyKind, where: string): PolicyPrincipal | undefined {
  if (raw === undefined) return undefined;
  if (raw === '*') return '*';
  if (!isObject(raw)) throw invalid(kind, `${where} must be "*" or an object such as {"AWS": ["arn:aws:iam::123456789012:user/name"]}`);
  const aws = stringList(raw.AWS, kind, `${where}.AWS`);
  const others = Object.keys(raw).filter((k) => k !== 'AWS' && k !== 'Service');
  if (others.length > 0) throw invalid(kind, `${where}: unsupported principal type ${others[0]}`);
  return aws ? { AWS: aws } : {};
}

function parseCondition(raw: unknown, kind: PolicyKind, where: string): Statement['condition'] {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) throw invalid(kind, `${where}: Condition must be an object`);
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, block] of Object.entries(raw)) {
    if (!isKnownOperator(operator)) throw invalid(kind, `${where}: unknown condition operator ${operator}`);
    if (!isObject(block)) throw invalid(kind, `${where}: Condition ${operator} must map keys to values`);
    out[operator] = {};
    for (const [key, value] of Object.entries(block)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) throw invalid(kind, `${where}: Condition ${operator} ${key} must be a value or a list of values`);
      out[operator][key] = values.map(String);
    }
  }
  return out;
}

function stringList(raw: unknown, kind: PolicyKind, where: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) throw invalid(kind, `${where} must be a string or a list of strings`);
  return list as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(kind: PolicyKind, why: string): RegistryError {
  const what = kind === 'identity' ? 'policy document' : `${kind} policy`;
  return new RegistryError('INVALID_PARAMETER', `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid ${what} provided: ${why}'`);
}
