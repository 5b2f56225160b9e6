import { parseRule } from './parse-rule.js';
import {
  MAX_POLICY_TEXT_LENGTH,
  MAX_RULES,
  MIN_POLICY_TEXT_LENGTH,
  policyInvalid,
  policyLengthInvalid,
  schemaDetail,
} from './policy-errors.js';
import { jsonTypeOf, readObject } from './json-fields.js';

export type TagStatus = 'tagged' | 'untagged' | 'any';
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled';

/** Which images a rule looks at: by tag state, and for `tagged` by tag prefixes or tag patterns (never both). */
export type TagSelection =
  | { readonly tagStatus: 'any' }
  | { readonly tagStatus: 'untagged' }
  | { readonly tagStatus: 'tagged'; readonly tagPrefixList: readonly string[] }
  | { readonly tagStatus: 'tagged'; readonly tagPatternList: readonly string[] };

/** What a rule expires among the images it looks at: all but the newest N, or those older than N days. */
export type CountSelection =
  | { readonly countType: 'imageCountMoreThan'; readonly countNumber: number }
  | { readonly countType: 'sinceImagePushed' | 'sinceImagePulled'; readonly countUnit: 'days'; readonly countNumber: number };

export type LifecycleSelection = TagSelection & CountSelection;

export interface LifecycleRule {
  /** Unique in the policy; rules run lowest first. */
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: LifecycleSelection;
  readonly action: { readonly type: 'expire' };
}

/** A validated policy; `rules` are sorted by rulePriority, lowest (evaluated first) first. */
export interface LifecyclePolicy {
  readonly rules: readonly LifecycleRule[];
}

/**
 * Parses and validates a lifecycle policy text as ECR does (PutLifecyclePolicy,
 * StartLifecyclePolicyPreview). Returns the policy with its rules in evaluation order.
 * Throws VALIDATION when the text is shorter than 100 or longer than 30,720 characters, and
 * INVALID_PARAMETER (InvalidParameterException, ECR's wording) for anything ECR's validator refuses,
 * and for the archive storage class, which Berth does not implement.
 */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  const length = text.length > 2 * MAX_POLICY_TEXT_LENGTH ? text.length : codePointLength(text);
  if (length < MIN_POLICY_TEXT_LENGTH || length > MAX_POLICY_TEXT_LENGTH) throw policyLengthInvalid(text, length);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw policyInvalid(schemaDetail.unmappable());
  }
  if (jsonTypeOf(document) !== 'object') throw policyInvalid(schemaDetail.unmappable());
  const { rules } = readObject(document, ['rules'], []);
  const type = jsonTypeOf(rules);
  if (type !== 'array') throw policyInvalid(schemaDetail.wrongType(type, 'array'));
  const list = rules as unknown[];
  if (list.length === 0) throw policyInvalid(schemaDetail.tooFewItems(1, 0));
  if (list.length > MAX_RULES) throw policyInvalid(schemaDetail.tooManyItems(MAX_RULES, list.length));
  const parsed = list.map(parseRule).sort((a, b) => a.rulePriority - b.rulePriority);
  checkRuleSet(parsed);
  return { rules: parsed };
}

/** The checks across rules, on rules sorted by priority. */
function checkRuleSet(rules: readonly LifecycleRule[]): void {
  for (let i = 1; i < rules.length; i++) {
    const priority = rules[i]!.rulePriority;
    if (priority === rules[i - 1]!.rulePriority) {
      throw policyInvalid(`Each rule must have a unique rulePriority; ${priority} is used by more than one rule.`);
    }
  }
  // "Only one rule is allowed to select untagged images."
  if (rules.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) {
    throw policyInvalid('Only one rule can select Untagged images per storage class.');
  }
  // "A rule with a tagStatus value of any must have the highest value for rulePriority and be evaluated last."
  if (rules.some((rule, i) => rule.selection.tagStatus === 'any' && i !== rules.length - 1)) {
    throw policyInvalid('Rule for tagStatus=ANY must have the lowest priority per storage class');
  }
  checkUniquePrefixSets(rules);
}

/** "The set of rules must contain a unique set of tag prefixes." */
function checkUniquePrefixSets(rules: readonly LifecycleRule[]): void {
  const seen = new Map<string, number>();
  for (const rule of rules) {
    if (!('tagPrefixList' in rule.selection)) continue;
    const prefixes = [...new Set(rule.selection.tagPrefixList)].sort();
    const key = JSON.stringify(prefixes);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw policyInvalid(
        `The set of rules must contain a unique set of tag prefixes; rules ${earlier} and ${rule.rulePriority} both select ${key}.`,
      );
    }
    seen.set(key, rule.rulePriority);
  }
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
