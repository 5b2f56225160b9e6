import { BlockList, isIP } from 'node:net';

/** Condition keys and their values for one request (aws:SourceIp, aws:PrincipalArn, ecr:ImageTag, …), by lower-case key. */
export type ConditionContext = ReadonlyMap<string, readonly string[]>;

type Compare = (actual: string, expected: string) => boolean;

const QUALIFIER = /^For(AnyValue|AllValues):/;

const glob = (pattern: string, ignoreCase: boolean): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'is' : 's');

const dateOf = (text: string): number => (/^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text));

function inCidr(address: string, cidr: string): boolean {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const [network, bits] = cidr.includes('/') ? cidr.split('/') : [cidr, family === 'ipv6' ? '128' : '32'];
  if (isIP(network!) === 0 || (isIP(network!) === 6) !== (family === 'ipv6')) return false;
  const list = new BlockList();
  list.addSubnet(network!, Number(bits), family);
  return list.check(address, family);
}

/** The base operators (without IfExists or a ForAnyValue/ForAllValues qualifier). */
const OPERATORS: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (a, e) => a === e, negated: false },
  StringNotEquals: { compare: (a, e) => a === e, negated: true },
  StringEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: true },
  StringLike: { compare: (a, e) => glob(e, false).test(a), negated: false },
  StringNotLike: { compare: (a, e) => glob(e, false).test(a), negated: true },
  ArnEquals: { compare: (a, e) => a === e, negated: false },
  ArnNotEquals: { compare: (a, e) => a === e, negated: true },
  ArnLike: { compare: (a, e) => glob(e, false).test(a), negated: false },
  ArnNotLike: { compare: (a, e) => glob(e, false).test(a), negated: true },
  NumericEquals: { compare: (a, e) => Number(a) === Number(e), negated: false },
  NumericNotEquals: { compare: (a, e) => Number(a) === Number(e), negated: true },
  NumericLessThan: { compare: (a, e) => Number(a) < Number(e), negated: false },
  NumericLessThanEquals: { compare: (a, e) => Number(a) <= Number(e), negated: false },
  NumericGreaterThan: { compare: (a, e) => Number(a) > Number(e), negated: false },
  NumericGreaterThanEquals: { compare: (a, e) => Number(a) >= Number(e), negated: false },
  DateEquals: { compare: (a, e) => dateOf(a) === dateOf(e), negated: false },
  DateNotEquals: { compare: (a, e) => dateOf(a) === dateOf(e), negated: true },
  DateLessThan: { compare: (a, e) => dateOf(a) < dateOf(e), negated: false },
  DateLessThanEquals: { compare: (a, e) => dateOf(a) <= dateOf(e), negated: false },
  DateGreaterThan: { compare: (a, e) => dateOf(a) > dateOf(e), negated: false },
  DateGreaterThanEquals: { compare: (a, e) => dateOf(a) >= dateOf(e), negated: false },
  Bool: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  IpAddress: { compare: (a, e) => isIP(a) !== 0 && inCidr(a, e), negated: false },
  NotIpAddress: { compare: (a, e) => isIP(a) !== 0 && inCidr(a, e), negated: true },
};

/** Whether `operator` (with its qualifiers) is one this evaluator knows. */
export function isKnownOperator(operator: string): boolean {
  const base = operator.replace(QUALIFIER, '').replace(/IfExists$/, '');
  return base === 'Null' || Object.hasOwn(OPERATORS, base);
}

/**
 * Whether one condition block entry holds: `operator` applied to the request's values of `key`
 * against the policy's `expected` values (IAM's rules: any expected value may match; a negated
 * operator holds when none does; a missing key fails unless IfExists or a negated operator;
 * ForAnyValue/ForAllValues compare each value of a multi-valued key).
 */
export function conditionHolds(operator: string, key: string, expected: readonly string[], context: ConditionContext): boolean {
  const qualifier = QUALIFIER.exec(operator)?.[1] === 'AllValues' ? 'All' : QUALIFIER.test(operator) ? 'Any' : undefined;
  const withoutQualifier = operator.replace(QUALIFIER, '');
  const ifExists = withoutQualifier.endsWith('IfExists');
  const base = ifExists ? withoutQualifier.slice(0, -'IfExists'.length) : withoutQualifier;
  const actual = context.get(key.toLowerCase());
  if (base === 'Null') {
    const wantsMissing = expected.some((e) => e.toLowerCase() === 'true');
    return wantsMissing === (actual === undefined || actual.length === 0);
  }
  const op = OPERATORS[base];
  if (!op) return false;
  if (actual === undefined || actual.length === 0) {
    if (qualifier === 'All') return true;
    return ifExists || (op.negated && qualifier === undefined);
  }
  const matchesOne = (value: string): boolean => {
    const any = expected.some((e) => op.compare(value, e));
    return op.negated ? !any : any;
  };
  if (qualifier === 'All') return actual.every(matchesOne);
  return actual.some(matchesOne);
}
