import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateLifecyclePolicy, type LifecycleImage } from './evaluate.js';
import { parseLifecyclePolicy } from './lifecycle-policy.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1, 12);

/** Image "A" has digest sha256:aaaa…, so digests sort as the letters do. */
function image(name: string, tags: string[], pushedDaysAgo: number, lastPulledDaysAgo: number | null = null): LifecycleImage {
  return {
    digest: `sha256:${name.toLowerCase().repeat(64).slice(0, 64)}`,
    tags,
    pushedAt: NOW - pushedDaysAgo * DAY,
    lastPulledAt: lastPulledDaysAgo === null ? null : NOW - lastPulledDaysAgo * DAY,
    sizeInBytes: 1000 + name.charCodeAt(0),
  };
}

type Selection = Record<string, unknown>;
function policy(...selections: Selection[]): string {
  const rules = selections.map((selection, i) => ({ rulePriority: i + 1, description: `Rule ${i + 1}`, selection, action: { type: 'expire' } }));
  return JSON.stringify({ rules });
}

/** The names of the images a policy expires, in the order evaluate returns them. */
function expired(text: string, images: LifecycleImage[], now = NOW): string[] {
  const digests = new Set(images.map((img) => img.digest));
  return evaluateLifecyclePolicy(parseLifecyclePolicy(text), images, now).map((d) => {
    assert.ok(digests.has(d.digest));
    return d.digest.charAt('sha256:'.length).toUpperCase();
  });
}

const prodCount1 = { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 };
const betaCount1 = { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 };
const multipleRulesRepo = () => [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3'], 8)];

// The scenarios of ECR's "Examples of lifecycle policies", with the outcome each example states.
const documented: { name: string; policy: string; images: LifecycleImage[]; expires: string[] }[] = [
  {
    name: 'filtering on image age: tagged prod* older than 14 days',
    policy: policy({ tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }),
    images: [image('A', ['prod-1'], 20), image('B', ['prod'], 15), image('C', ['prod-3'], 10), image('D', ['dev-1'], 30), image('E', [], 30), image('F', ['preprod'], 30)],
    expires: ['A', 'B'],
  },
  {
    name: 'filtering on image age (earlier edition): untagged older than 14 days',
    policy: policy({ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }),
    images: [image('A', [], 30), image('B', [], 15), image('C', [], 13), image('D', ['v1'], 30)],
    expires: ['A', 'B'],
  },
  {
    name: 'filtering on image count: keep only one untagged image',
    policy: policy({ tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }),
    images: [image('A', [], 3), image('B', [], 2), image('C', [], 1), image('D', ['v1'], 5)],
    expires: ['A', 'B'],
  },
  {
    // "Image A has already been seen by Rule 1 and if Image B were expired it would violate Rule 1 and thus is skipped."
    name: 'multiple rules, example A: prod then beta',
    policy: policy(prodCount1, betaCount1),
    images: multipleRulesRepo(),
    expires: ['A'],
  },
  {
    // "It would see no images because all available images were already seen by Rule 1."
    name: 'multiple rules, example B: beta then prod',
    policy: policy(betaCount1, prodCount1),
    images: multipleRulesRepo(),
    expires: ['A', 'B'],
  },
  {
    // "When multiple tag prefixes are specified on a single rule, images must match all listed tag prefixes."
    name: 'multiple tags in a single rule, example A: alpha and beta, older than 5 days',
    policy: policy({ tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' }),
    images: [
      image('A', ['alpha-1'], 12), image('B', ['beta-1'], 11), image('C', ['alpha-2', 'beta-2'], 10),
      image('D', ['alpha-3'], 4), image('E', ['beta-3'], 3), image('F', ['alpha-4', 'beta-4'], 2),
    ],
    expires: ['C'],
  },
  {
    // "The following example illustrates that tags are not exclusive."
    name: 'multiple tags in a single rule, example B: extra tags do not matter',
    policy: policy({ tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
    images: [image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10), image('B', ['alpha-2', 'beta-2'], 9), image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)],
    expires: ['A', 'B'],
  },
  {
    name: 'all images, example A: keep only the newest image',
    policy: policy({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
    images: [image('A', ['alpha-1'], 4), image('B', ['beta-1'], 3), image('C', [], 2), image('D', ['alpha-2'], 1)],
    expires: ['A', 'B', 'C'],
  },
  {
    // "Rule 3 … can't mark images A, B, C, or E because they were identified by higher priority
    // rules. It marks image D for expiration." D and E were both pushed a day ago; E (the greater
    // digest) counts as the newer, so Rule 3 keeps E and marks D.
    name: 'all images, example B: every rule type in one policy',
    policy: policy(
      { tagStatus: 'tagged', tagPrefixList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 1 },
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
      { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 },
    ),
    images: [image('A', ['alpha-1', 'beta-1'], 4), image('B', [], 3), image('C', ['alpha-2'], 2), image('D', ['git hash'], 1), image('E', [], 1)],
    expires: ['A', 'B', 'D'],
  },
  {
    // re:Post "In ECR I created a lifecycle policy to keep images for 10 years but it deleted them
    // instead": a tagPatternList "acted as an AND", so an image tagged only main is not kept by rule 1.
    name: 'a tag pattern list needs all its patterns (the re:Post ten-year policy)',
    policy: policy(
      { tagStatus: 'tagged', tagPatternList: ['latest', 'main', 'master', 'cache', '20*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3650 },
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 60 },
    ),
    images: [image('A', ['main'], 90), image('B', ['latest', 'main', 'master', 'cache', '2024-01'], 90), image('C', [], 10), image('D', ['feature-x'], 30)],
    expires: ['C', 'A'],
  },
];

for (const example of documented) {
  test(`documented example: ${example.name}`, () => {
    assert.deepEqual(expired(example.policy, example.images), example.expires);
  });
}

test('a decision carries what GetLifecyclePolicyPreview reports', () => {
  const images = multipleRulesRepo();
  const decisions = evaluateLifecyclePolicy(parseLifecyclePolicy(policy(prodCount1, betaCount1)), images, NOW);
  assert.deepEqual(decisions, [
    { digest: images[0]!.digest, tags: ['beta-1', 'prod-1'], pushedAt: NOW - 10 * DAY, sizeInBytes: 1065, action: 'EXPIRE', rulePriority: 1, description: 'Rule 1' },
  ]);
  const bare = JSON.stringify({ rules: [{ rulePriority: 7, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] });
  const [decision] = evaluateLifecyclePolicy(parseLifecyclePolicy(bare), images, NOW);
  assert.equal(decision!.rulePriority, 7);
  assert.equal('description' in decision!, false, 'no description when the rule has none');
});

test('decisions come rule by rule, oldest first within a rule, whatever the input order', () => {
  const text = policy(
    { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 },
    { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 },
  );
  const images = [image('A', [], 1), image('B', ['v1'], 5), image('C', [], 9), image('D', ['v2'], 7), image('E', [], 3), image('F', ['v3'], 2)];
  const result = expired(text, images);
  assert.deepEqual(result, ['D', 'B', 'C', 'E']);
  assert.deepEqual(expired(text, [...images].reverse()), result);
});

test('ties in push time: the smaller digest counts as the older and is expired first', () => {
  const keepOne = policy({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 });
  assert.deepEqual(expired(keepOne, [image('A', ['x'], 2), image('B', ['y'], 2)]), ['A']);
  assert.deepEqual(expired(keepOne, [image('B', ['y'], 2), image('A', ['x'], 2)]), ['A'], 'whatever the input order');
  const keepTwo = policy({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 });
  assert.deepEqual(expired(keepTwo, [image('C', [], 1), image('A', [], 1), image('B', [], 1), image('D', [], 1)]), ['A', 'B']);
});

test('a count at or above the number of images expires nothing', () => {
  const images = [image('A', [], 3), image('B', [], 2), image('C', [], 1)];
  for (const countNumber of [3, 4, 1000]) {
    assert.deepEqual(expired(policy({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber }), images), [], String(countNumber));
  }
  assert.deepEqual(expired(policy({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }), images), ['A']);
  assert.deepEqual(expired(policy({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }), []), []);
});

test('an image with several tags matched by two rules belongs to the first, even when it keeps it', () => {
  // Rule 1 selects A (prod-1) but A is young: it keeps it. Rule 2 would expire every beta image
  // older than 1 day, A included, but A matched Rule 1's tags, so only B goes.
  const text = policy(
    { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
    { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
  );
  assert.deepEqual(expired(text, [image('A', ['prod-1', 'beta-1'], 5), image('B', ['beta-2'], 5)]), ['B']);
  // The image is expired once, by the first rule, even though the second would expire it too.
  const both = policy(prodCount1, betaCount1);
  const decisions = evaluateLifecyclePolicy(parseLifecyclePolicy(both), [image('A', ['prod-1', 'beta-1'], 5), image('B', ['prod-2', 'beta-2'], 1)], NOW);
  assert.deepEqual(decisions.map((d) => d.rulePriority), [1]);
});

test('a lower rule still counts the images of higher rules when it keeps its newest N', () => {
  // Rule 2 keeps the newest 2 of all images: C and D. A was kept by Rule 1 and cannot go; B can.
  const text = policy(
    { tagStatus: 'tagged', tagPrefixList: ['release'], countType: 'imageCountMoreThan', countNumber: 5 },
    { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 },
  );
  assert.deepEqual(expired(text, [image('A', ['release-1'], 4), image('B', ['dev'], 3), image('C', ['release-2'], 2), image('D', [], 1)]), ['B']);
});

test('untagged selects only images without tags; any selects all, and an untagged rule protects what it saw', () => {
  const images = [image('A', [], 10), image('B', ['v1'], 9), image('C', [], 8), image('D', ['v2'], 7)];
  assert.deepEqual(expired(policy({ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }), images), ['A', 'C']);
  assert.deepEqual(expired(policy({ tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }), images), ['A', 'B', 'C', 'D']);
  // The untagged rule keeps all untagged images (30 days); the any rule keeps the newest 1 (D) and
  // may only expire B, as A and C are the untagged rule's.
  const text = policy(
    { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 },
    { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 },
  );
  assert.deepEqual(expired(text, images), ['B']);
});

test('a tagged rule never selects an untagged image', () => {
  const images = [image('A', [], 10), image('B', ['x'], 9)];
  assert.deepEqual(expired(policy({ tagStatus: 'tagged', tagPrefixList: [''], countType: 'imageCountMoreThan', countNumber: 1 }), [image('C', ['y'], 1), ...images]), ['B']);
  assert.deepEqual(expired(policy({ tagStatus: 'tagged', tagPatternList: ['*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }), images), ['B']);
});

test('age rules expire images strictly older than N days', () => {
  const text = policy({ tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 });
  const images = [image('A', [], 7), { ...image('B', [], 7), pushedAt: NOW - 7 * DAY - 1 }, image('C', [], 6.9)];
  assert.deepEqual(expired(text, images), ['B']);
  assert.deepEqual(expired(text, [image('A', [], -1)]), [], 'an image pushed after now (clock skew) is not old');
});

test('sinceImagePulled counts from the last recorded pull, or from the push when never pulled', () => {
  const text = policy({ tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 });
  const images = [
    image('A', ['old-pulled-recently'], 100, 2),
    image('B', ['old-pulled-long-ago'], 100, 40),
    image('C', ['old-never-pulled'], 40, null),
    image('D', ['new-never-pulled'], 10, null),
    image('E', ['pulled-exactly-30-days-ago'], 60, 30),
  ];
  assert.deepEqual(expired(text, images), ['B', 'C']);
});

test('the rules run in priority order, however the text lists them', () => {
  const text = JSON.stringify({
    rules: [
      { rulePriority: 20, selection: betaCount1, action: { type: 'expire' } },
      { rulePriority: 10, selection: prodCount1, action: { type: 'expire' } },
    ],
  });
  assert.deepEqual(expired(text, multipleRulesRepo()), ['A'], 'as documented example A: prod (10) before beta (20)');
  assert.deepEqual(parseLifecyclePolicy(text).rules.map((r) => r.rulePriority), [10, 20]);
});
