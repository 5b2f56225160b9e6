import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootPrincipal, userPrincipal, ANONYMOUS, type Principal } from '../principal.js';
import { evaluateAccess, type Decision } from './evaluate.js';
import { parsePolicy } from './parse-policy.js';

const ACCOUNT = '123456789012';
const REPO = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/app`;
const alice = userPrincipal(ACCOUNT, { id: 1, name: 'alice', user_id: 'AIDAALICE', path: '/' });
const bob = userPrincipal(ACCOUNT, { id: 2, name: 'bob', user_id: 'AIDABOB', path: '/' });
const root = rootPrincipal(ACCOUNT);

const identity = (statements: object[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'identity');
const resource = (statements: object[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'repository');

function decide(principal: Principal, action: string, options: { identity?: object[]; resource?: object[]; context?: Record<string, string[]> } = {}): Decision {
  return evaluateAccess({
    principal,
    action,
    resource: REPO,
    identityPolicies: options.identity ? [identity(options.identity)] : [],
    resourcePolicy: options.resource ? resource(options.resource) : undefined,
    context: () => new Map(Object.entries(options.context ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  });
}

test('no policy: users and anonymous are denied, the root is allowed', () => {
  assert.equal(decide(alice, 'ecr:BatchGetImage'), 'implicit-deny');
  assert.equal(decide(ANONYMOUS, 'ecr:BatchGetImage'), 'implicit-deny');
  assert.equal(decide(root, 'ecr:BatchGetImage'), 'allow');
});

test('an identity Allow grants matching actions and resources, with wildcards', () => {
  const allowPull = { identity: [{ Effect: 'Allow', Action: ['ecr:BatchGet*', 'ecr:GetDownloadUrlForLayer'], Resource: 'arn:aws:ecr:*:*:repository/team/*' }] };
  assert.equal(decide(alice, 'ecr:BatchGetImage', allowPull), 'allow');
  assert.equal(decide(alice, 'ECR:batchgetimage', allowPull), 'allow');
  assert.equal(decide(alice, 'ecr:PutImage', allowPull), 'implicit-deny');
  const otherRepo = { identity: [{ Effect: 'Allow', Action: 'ecr:*', Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/other` }] };
  assert.equal(decide(alice, 'ecr:BatchGetImage', otherRepo), 'implicit-deny');
  assert.equal(decide(alice, 'ecr:PutImage', { identity: [{ Effect: 'Allow', NotAction: 'ecr:Delete*', Resource: '*' }] }), 'allow');
  assert.equal(decide(alice, 'ecr:DeleteRepository', { identity: [{ Effect: 'Allow', NotAction: 'ecr:Delete*', Resource: '*' }] }), 'implicit-deny');
});

test('an explicit Deny wins over any Allow, for users and the root alike', () => {
  const policies = {
    identity: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }],
    resource: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:BatchDeleteImage' }],
  };
  assert.equal(decide(alice, 'ecr:BatchDeleteImage', policies), 'explicit-deny');
  assert.equal(decide(root, 'ecr:BatchDeleteImage', policies), 'explicit-deny');
  assert.equal(decide(alice, 'ecr:BatchGetImage', policies), 'allow');
  assert.equal(decide(alice, 'ecr:PutImage', { identity: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }, { Effect: 'Deny', Action: 'ecr:PutImage', Resource: REPO }] }), 'explicit-deny');
});

test('a repository policy grants the principals it names; Principal * makes a public repository', () => {
  const forBob = { resource: [{ Effect: 'Allow', Principal: { AWS: bob.kind === 'user' ? bob.arn : '' }, Action: 'ecr:BatchGetImage' }] };
  assert.equal(decide(bob, 'ecr:BatchGetImage', forBob), 'allow');
  assert.equal(decide(alice, 'ecr:BatchGetImage', forBob), 'implicit-deny');
  assert.equal(decide(ANONYMOUS, 'ecr:BatchGetImage', forBob), 'implicit-deny');
  const pub = { resource: [{ Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] };
  assert.equal(decide(ANONYMOUS, 'ecr:BatchGetImage', pub), 'allow');
  assert.equal(decide(ANONYMOUS, 'ecr:PutImage', pub), 'implicit-deny');
  assert.equal(decide(alice, 'ecr:GetDownloadUrlForLayer', pub), 'allow');
  const notBob = { resource: [{ Effect: 'Allow', NotPrincipal: { AWS: bob.kind === 'user' ? bob.arn : '' }, Action: 'ecr:BatchGetImage' }] };
  assert.equal(decide(alice, 'ecr:BatchGetImage', notBob), 'allow');
  assert.equal(decide(bob, 'ecr:BatchGetImage', notBob), 'implicit-deny');
});

test('conditions: strings, ARNs, IP ranges, Bool, Null, dates, IfExists and set qualifiers', () => {
  const allowIf = (condition: object) => ({ identity: [{ Effect: 'Allow', Action: 'ecr:PutImage', Resource: '*', Condition: condition }] });
  const cases: [object, Record<string, string[]>, Decision][] = [
    [{ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': ['alice'] }, 'allow'],
    [{ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': ['bob'] }, 'implicit-deny'],
    [{ StringNotEquals: { 'aws:username': ['bob', 'carol'] } }, { 'aws:username': ['alice'] }, 'allow'],
    [{ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': ['alice'] }, 'allow'],
    [{ StringLike: { 'ecr:ImageTag': 'release-*' } }, { 'ecr:ImageTag': ['release-1.2'] }, 'allow'],
    [{ StringLike: { 'ecr:ImageTag': 'release-*' } }, { 'ecr:ImageTag': ['dev'] }, 'implicit-deny'],
    [{ StringNotLike: { 'ecr:ImageTag': 'latest' } }, { 'ecr:ImageTag': ['v1'] }, 'allow'],
    [{ StringLike: { 'ecr:ImageTag': 'release-*' } }, {}, 'implicit-deny'],
    [{ StringLikeIfExists: { 'ecr:ImageTag': 'release-*' } }, {}, 'allow'],
    [{ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/a*` } }, { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:user/alice`] }, 'allow'],
    [{ ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/alice` } }, { 'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:user/alice`] }, 'implicit-deny'],
    [{ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.0/8'] } }, { 'aws:SourceIp': ['127.0.0.1'] }, 'allow'],
    [{ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': ['192.168.1.1'] }, 'implicit-deny'],
    [{ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': ['192.168.1.1'] }, 'allow'],
    [{ IpAddress: { 'aws:SourceIp': '::1/128' } }, { 'aws:SourceIp': ['::1'] }, 'allow'],
    [{ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': ['false'] }, 'implicit-deny'],
    [{ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': ['false'] }, 'allow'],
    [{ Null: { 'ecr:ImageTag': 'true' } }, {}, 'allow'],
    [{ Null: { 'ecr:ImageTag': 'false' } }, {}, 'implicit-deny'],
    [{ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': ['2026-12-01T00:00:00Z'] }, 'allow'],
    [{ DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': ['2026-12-01T00:00:00Z'] }, 'implicit-deny'],
    [{ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['b', 'z'] }, 'allow'],
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['b', 'z'] }, 'implicit-deny'],
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['a'] }, 'allow'],
    [{ StringEquals: { 'aws:ResourceTag/env': 'prod' } }, { 'aws:ResourceTag/env': ['prod'] }, 'allow'],
  ];
  for (const [condition, context, expected] of cases) {
    assert.equal(decide(alice, 'ecr:PutImage', { ...allowIf(condition), context }), expected, `${JSON.stringify(condition)} with ${JSON.stringify(context)}`);
  }
});

test('invalid documents are refused with a message naming the problem', () => {
  const bad: [string, RegExp][] = [
    ['{', /not valid JSON/],
    ['{"Statement":[{"Effect":"Maybe","Action":"ecr:*","Resource":"*"}]}', /Effect must be Allow or Deny/],
    ['{"Statement":[{"Effect":"Allow","Resource":"*"}]}', /exactly one of Action and NotAction/],
    ['{"Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*","Condition":{"StringSortOf":{"a":"b"}}}]}', /unknown condition operator StringSortOf/],
    ['{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}', /Version must be/],
    ['{"Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*","Principal":"*"}]}', /must not name a Principal/],
  ];
  for (const [text, message] of bad) assert.throws(() => parsePolicy(text, 'identity'), message, text);
  assert.throws(() => parsePolicy('{"Statement":[{"Effect":"Allow","Action":"ecr:*"}]}', 'repository'), /needs a Principal/);
});
