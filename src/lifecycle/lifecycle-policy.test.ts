import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRegistryError } from '../core/errors.js';
import { parseLifecyclePolicy } from './lifecycle-policy.js';

const WRAP = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

/** JSON text, padded with trailing spaces to the 100 characters the service model requires. */
function text(document: unknown): string {
  const json = typeof document === 'string' ? document : JSON.stringify(document);
  return json.padEnd(100, ' ');
}

const untagged = { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 };
const expire = { type: 'expire' };
function rule(selection: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { rulePriority: 1, selection, action: expire, ...extra };
}
function withSelection(changes: Record<string, unknown>, drop: string[] = []): unknown {
  const selection: Record<string, unknown> = { ...untagged, ...changes };
  for (const name of drop) delete selection[name];
  return { rules: [rule(selection)] };
}

function assertRefused(input: string, detail: string, code = 'INVALID_PARAMETER'): void {
  assert.throws(
    () => parseLifecyclePolicy(input),
    (err) => {
      assert.ok(isRegistryError(err));
      assert.equal(err.code, code);
      assert.equal(err.message, code === 'INVALID_PARAMETER' ? `${WRAP}${detail}'` : detail);
      return true;
    },
    detail,
  );
}

test('a valid policy parses into typed rules in priority order', () => {
  const policy = parseLifecyclePolicy(JSON.stringify({
    rules: [
      { rulePriority: 9, description: 'all', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: expire },
      { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30, storageClass: 'standard' }, action: expire },
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: expire },
      { rulePriority: 5, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
    ],
  }));
  assert.deepEqual(policy.rules, [
    { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: expire },
    { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }, action: expire },
    { rulePriority: 5, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
    { rulePriority: 9, description: 'all', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: expire },
  ]);
});

test('the text must be 100 to 30,720 characters (the service model), refused as AWS refuses member constraints', () => {
  const short = '{"rules":[]}';
  assertRefused(short, `1 validation error detected: Value '${short}' at 'lifecyclePolicyText' failed to satisfy constraint: Member must have length greater than or equal to 100`, 'VALIDATION');
  const long = text({ rules: [rule(untagged, { description: 'x'.repeat(30_720) })] });
  assertRefused(long, `1 validation error detected: Value '${long.slice(0, 200)}…' at 'lifecyclePolicyText' failed to satisfy constraint: Member must have length less than or equal to 30720`, 'VALIDATION');
  // Characters, not UTF-16 units: 30,000 astral characters are 60,000 units but within the limit.
  const astral = JSON.stringify({ rules: [rule(untagged, { description: '😀'.repeat(30_000) })] });
  assert.equal(parseLifecyclePolicy(astral).rules[0]!.description!.length, 60_000);
  assert.equal(parseLifecyclePolicy(text({ rules: [rule(untagged)] })).rules.length, 1, 'exactly 100 is enough');
});

test('the text must be a JSON object', () => {
  for (const bad of ['{"rules": [', '[]', '"rules"', 'null', '{"rules": [] } trailing']) {
    assertRefused(text(bad), 'Could not map policyString into LifecyclePolicy.');
  }
});

test('rules must be present, a list, and hold 1 to 50 rules', () => {
  assertRefused(text({}), 'object has missing required properties (["rules"])');
  assertRefused(text({ rules: { rulePriority: 1 } }), 'instance type (object) does not match any allowed primitive type (allowed: ["array"])');
  assertRefused(text({ rules: [] }), 'array is too short: must have at least 1 elements but instance has 0 elements');
  const many = Array.from({ length: 51 }, (_, i) => ({ ...rule({ tagStatus: 'tagged', tagPrefixList: [`p${i}`], countType: 'imageCountMoreThan', countNumber: 1 }), rulePriority: i + 1 }));
  assertRefused(text({ rules: many }), 'array is too long: must have at most 50 elements but instance has 51 elements');
  assert.equal(parseLifecyclePolicy(text({ rules: many.slice(0, 50) })).rules.length, 50);
  assertRefused(text({ rules: ['rule'] }), 'instance type (string) does not match any allowed primitive type (allowed: ["object"])');
});

test('unknown keys are refused at every level', () => {
  assertRefused(text({ rules: [rule(untagged)], version: 1 }), 'object instance has properties which are not allowed by the schema: ["version"]');
  assertRefused(text({ rules: [rule(untagged, { name: 'x', id: 1 })] }), 'object instance has properties which are not allowed by the schema: ["id","name"]');
  assertRefused(text(withSelection({ tagPrefix: ['a'] })), 'object instance has properties which are not allowed by the schema: ["tagPrefix"]');
  assertRefused(text({ rules: [rule(untagged, { action: { type: 'expire', when: 'now' } })] }), 'object instance has properties which are not allowed by the schema: ["when"]');
});

test('a rule needs rulePriority, selection and action, and a selection tagStatus, countType and countNumber', () => {
  assertRefused(text({ rules: [{ selection: untagged }] }), 'object has missing required properties (["action","rulePriority"])');
  assertRefused(text(withSelection({}, ['tagStatus', 'countNumber'])), 'object has missing required properties (["countNumber","tagStatus"])');
  assertRefused(text({ rules: [rule(untagged, { action: {} })] }), 'object has missing required properties (["type"])');
});

test('rulePriority is a unique positive integer', () => {
  assertRefused(text({ rules: [rule(untagged, { rulePriority: 0 })] }), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
  assertRefused(text({ rules: [rule(untagged, { rulePriority: -3 })] }), 'numeric instance is lower than the required minimum (minimum: 1, found: -3)');
  assertRefused(text({ rules: [rule(untagged, { rulePriority: 1.5 })] }), 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])');
  assertRefused(text({ rules: [rule(untagged, { rulePriority: '1' })] }), 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])');
  assertRefused(text({ rules: [rule(untagged, { rulePriority: 2 ** 31 })] }), 'Could not map policyString into LifecyclePolicy.');
  const prod = { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 };
  assertRefused(text({ rules: [rule(untagged, { rulePriority: 3 }), rule(prod, { rulePriority: 3 })] }), 'Each rule must have a unique rulePriority; 3 is used by more than one rule.');
  assert.deepEqual(parseLifecyclePolicy(text({ rules: [rule(untagged, { rulePriority: 10 }), rule(prod, { rulePriority: 2 ** 31 - 1 })] })).rules.map((r) => r.rulePriority), [10, 2 ** 31 - 1]);
});

test('description is an optional string', () => {
  assertRefused(text({ rules: [rule(untagged, { description: 7 })] }), 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])');
  assert.equal(parseLifecyclePolicy(text({ rules: [rule(untagged, { description: '' })] })).rules[0]!.description, '');
});

test('tagStatus is tagged, untagged or any', () => {
  assertRefused(text(withSelection({ tagStatus: 'TAGGED' })), 'instance value ("TAGGED") not found in enum (possible values: ["tagged","untagged","any"])');
  assertRefused(text(withSelection({ tagStatus: null })), 'instance type (null) does not match any allowed primitive type (allowed: ["string"])');
});

test('a tagged rule needs exactly one of tagPrefixList and tagPatternList, non-empty', () => {
  const tagged = { tagStatus: 'tagged' };
  assertRefused(text(withSelection(tagged)), 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
  assertRefused(text(withSelection({ ...tagged, tagPrefixList: [] })), 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
  assertRefused(text(withSelection({ ...tagged, tagPatternList: [] })), 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
  assertRefused(text(withSelection({ ...tagged, tagPrefixList: ['a'], tagPatternList: ['b*'] })), 'A rule may specify either tagPrefixList or tagPatternList, but not both.');
  assertRefused(text(withSelection({ ...tagged, tagPrefixList: 'prod' })), 'instance type (string) does not match any allowed primitive type (allowed: ["array"])');
  assertRefused(text(withSelection({ ...tagged, tagPatternList: ['ok', 3] })), 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])');
});

test('tag lists are only for tagged rules, even empty ones', () => {
  assertRefused(text(withSelection({ tagPrefixList: ['prod'] })), 'Cannot specify tagPrefixList when tagStatus=UNTAGGED.');
  assertRefused(text(withSelection({ tagStatus: 'any', tagPatternList: [] })), 'Cannot specify tagPatternList when tagStatus=ANY.');
});

test('a tag pattern holds at most four wildcards', () => {
  const selection = { tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*4*5*6'] };
  assertRefused(text(withSelection(selection)), 'Invalid tag pattern "test*1*2*3*4*5*6": a pattern may contain at most 4 wildcards (*), it has 6.');
  assertRefused(text(withSelection({ ...selection, tagPatternList: ['*****'] })), 'Invalid tag pattern "*****": a pattern may contain at most 4 wildcards (*), it has 5.');
  assert.equal(parseLifecyclePolicy(text(withSelection({ ...selection, tagPatternList: ['*test*1*2*3', 'test*1*2*3*'] }))).rules.length, 1);
});

test('countType and countUnit fit one of ECR\'s selection shapes', () => {
  const noShape = 'instance failed to match exactly one schema (matched 0 out of 4)';
  assertRefused(text(withSelection({ countType: 'imagesMoreThan' })), noShape);
  assertRefused(text(withSelection({ countUnit: 'days' })), noShape); // countUnit with imageCountMoreThan
  assertRefused(text(withSelection({ countUnit: null })), noShape); // even a null one
  assertRefused(text(withSelection({ countType: 'sinceImagePushed' })), noShape); // a day count without countUnit
  assertRefused(text(withSelection({ countType: 'sinceImagePulled', countUnit: null })), noShape);
  assertRefused(text(withSelection({ countType: 'sinceImagePushed', countUnit: 'hours' })), 'instance value ("hours") not found in enum (possible values: ["days"])');
  assertRefused(text(withSelection({ countType: 7 })), 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])');
});

test('countNumber is a positive integer', () => {
  assertRefused(text(withSelection({ countNumber: 0 })), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
  assertRefused(text(withSelection({ countNumber: -1 })), 'numeric instance is lower than the required minimum (minimum: 1, found: -1)');
  assertRefused(text(withSelection({ countNumber: 2.5 })), 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])');
  assertRefused(text(withSelection({ countNumber: '5' })), 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])');
  assertRefused(text(withSelection({ countType: 'sinceImagePushed', countUnit: 'days', countNumber: 0 })), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
});

test('the action is expire', () => {
  assertRefused(text({ rules: [rule(untagged, { action: { type: 'keep' } })] }), 'instance value ("keep") not found in enum (possible values: ["expire","transition"])');
  assertRefused(text({ rules: [rule(untagged, { action: 'expire' })] }), 'instance type (string) does not match any allowed primitive type (allowed: ["object"])');
  assertRefused(text({ rules: [rule(untagged, { action: { type: 'expire', targetStorageClass: null } })] }), 'instance failed to match exactly one schema (matched 0 out of 2)');
});

test('the archive storage class is refused: Berth does not implement archiving', () => {
  const refusal = (what: string) => `Berth does not implement the archive storage class, so ${what} is not supported; use an "expire" action on standard images.`;
  const pulled = { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 };
  assertRefused(text({ rules: [rule(pulled, { action: { type: 'transition', targetStorageClass: 'archive' } })] }), refusal('the "transition" action'));
  assertRefused(text({ rules: [rule(pulled, { action: { type: 'expire', targetStorageClass: 'archive' } })] }), refusal('"targetStorageClass"'));
  const transitioned = { tagStatus: 'any', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90, storageClass: 'archive' };
  assertRefused(text({ rules: [rule(transitioned)] }), refusal('countType "sinceImageTransitioned"'));
  assertRefused(text(withSelection({ storageClass: 'archive' })), refusal('selecting storageClass "archive"'));
  assertRefused(text(withSelection({ storageClass: 'glacier' })), 'instance value ("glacier") not found in enum (possible values: ["standard","archive"])');
  assert.equal(parseLifecyclePolicy(text(withSelection({ storageClass: 'standard' }))).rules.length, 1, 'standard, the default, is accepted');
});

test('only one rule may select untagged images', () => {
  const ageUntagged = { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 };
  assertRefused(text({ rules: [rule(untagged), rule(ageUntagged, { rulePriority: 2 })] }), 'Only one rule can select Untagged images per storage class.');
});

test('a rule with tagStatus any must come last, so there is at most one', () => {
  const any = { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 };
  assertRefused(text({ rules: [rule(any), rule(untagged, { rulePriority: 2 })] }), 'Rule for tagStatus=ANY must have the lowest priority per storage class');
  assertRefused(text({ rules: [rule(any), rule({ ...any, countNumber: 20 }, { rulePriority: 2 })] }), 'Rule for tagStatus=ANY must have the lowest priority per storage class');
  assert.equal(parseLifecyclePolicy(text({ rules: [rule(any, { rulePriority: 9 }), rule(untagged, { rulePriority: 2 })] })).rules.at(-1)!.rulePriority, 9);
});

test('no two rules may select the same set of tag prefixes', () => {
  const prefixes = (list: string[], rulePriority: number) => rule({ tagStatus: 'tagged', tagPrefixList: list, countType: 'imageCountMoreThan', countNumber: 1 }, { rulePriority });
  assertRefused(text({ rules: [prefixes(['b', 'a'], 1), prefixes(['a', 'b', 'a'], 2)] }), 'The set of rules must contain a unique set of tag prefixes; rules 1 and 2 both select ["a","b"].');
  assert.equal(parseLifecyclePolicy(text({ rules: [prefixes(['a'], 1), prefixes(['a', 'b'], 2)] })).rules.length, 2, 'overlapping sets are fine');
});
