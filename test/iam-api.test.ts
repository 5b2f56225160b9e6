import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ecr, query } from './helpers/ecr-client.js';
import { image } from './helpers/images.js';
import { errorCode, pushImage } from './helpers/oci-client.js';
import { startTestRegistry, TEST_ACCOUNT, type TestRegistry } from './helpers/test-registry.js';

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

async function userWithKey(r: TestRegistry, name: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  assert.equal((await query(r.app, 'iam', 'CreateUser', { UserName: name })).status, 200);
  const key = await query(r.app, 'iam', 'CreateAccessKey', { UserName: name });
  assert.equal(key.status, 200, key.xml);
  return { accessKeyId: tag(key.xml, 'AccessKeyId')!, secretAccessKey: tag(key.xml, 'SecretAccessKey')! };
}

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('IAM and STS (AWS Query protocol)', () => {
  test('users, access keys and inline policies round trip with IAM error codes', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const created = await query(r.app, 'iam', 'CreateUser', { UserName: 'alice', Path: '/team/' });
    assert.equal(created.status, 200);
    assert.match(created.xml, /^<CreateUserResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><CreateUserResult><User>/);
    assert.equal(tag(created.xml, 'Arn'), `arn:aws:iam::${TEST_ACCOUNT}:user/team/alice`);
    assert.match(tag(created.xml, 'UserId')!, /^AIDA[A-Z2-7]{17}$/);
    const again = await query(r.app, 'iam', 'CreateUser', { UserName: 'ALICE' });
    assert.deepEqual([again.status, again.code], [409, 'EntityAlreadyExists']);
    assert.equal((await query(r.app, 'iam', 'GetUser', { UserName: 'nobody' })).code, 'NoSuchEntity');
    assert.match((await query(r.app, 'iam', 'ListUsers')).xml, /<Users><member>.*<UserName>alice<\/UserName>.*<\/member><\/Users><IsTruncated>false<\/IsTruncated>/);
    await query(r.app, 'iam', 'CreateUser', { UserName: 'bo', Path: '/my_team/' });
    await query(r.app, 'iam', 'CreateUser', { UserName: 'cy', Path: '/myXteam/' });
    const byPath = await query(r.app, 'iam', 'ListUsers', { PathPrefix: '/my_team/' });
    assert.deepEqual([...byPath.xml.matchAll(/<UserName>(\w+)<\/UserName>/g)].map((m) => m[1]), ['bo'], 'a path prefix is matched literally');
    assert.equal((await query(r.app, 'iam', 'ListUsers', { PathPrefix: '/team/' })).xml.match(/<UserName>/g)?.length, 1);

    const key = await query(r.app, 'iam', 'CreateAccessKey', { UserName: 'alice' });
    const keyId = tag(key.xml, 'AccessKeyId')!;
    assert.match(keyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(tag(key.xml, 'SecretAccessKey')!.length, 40);
    await query(r.app, 'iam', 'CreateAccessKey', { UserName: 'alice' });
    assert.equal((await query(r.app, 'iam', 'CreateAccessKey', { UserName: 'alice' })).code, 'LimitExceeded');
    const listed = await query(r.app, 'iam', 'ListAccessKeys', { UserName: 'alice' });
    assert.equal(listed.xml.match(/<AccessKeyId>/g)?.length, 2);
    assert.ok(!listed.xml.includes('SecretAccessKey'), 'a listing never shows a secret');
    assert.equal((await query(r.app, 'iam', 'UpdateAccessKey', { UserName: 'alice', AccessKeyId: keyId, Status: 'Inactive' })).status, 200);
    assert.match((await query(r.app, 'iam', 'ListAccessKeys', { UserName: 'alice' })).xml, new RegExp(`<AccessKeyId>${keyId}</AccessKeyId><Status>Inactive</Status>`));

    const doc = policy([{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }]);
    assert.equal((await query(r.app, 'iam', 'PutUserPolicy', { UserName: 'alice', PolicyName: 'all', PolicyDocument: doc })).status, 200);
    assert.equal(decodeURIComponent(tag((await query(r.app, 'iam', 'GetUserPolicy', { UserName: 'alice', PolicyName: 'all' })).xml, 'PolicyDocument')!), doc);
    assert.match((await query(r.app, 'iam', 'ListUserPolicies', { UserName: 'alice' })).xml, /<PolicyNames><member>all<\/member><\/PolicyNames>/);
    const malformed = await query(r.app, 'iam', 'PutUserPolicy', { UserName: 'alice', PolicyName: 'bad', PolicyDocument: '{"Statement":[{"Effect":"Allow"}]}' });
    assert.deepEqual([malformed.status, malformed.code], [400, 'MalformedPolicyDocument']);

    assert.equal((await query(r.app, 'iam', 'DeleteUser', { UserName: 'alice' })).code, 'DeleteConflict');
    for (const id of [...(await query(r.app, 'iam', 'ListAccessKeys', { UserName: 'alice' })).xml.matchAll(/<AccessKeyId>(\w+)<\/AccessKeyId>/g)].map((m) => m[1]!)) {
      assert.equal((await query(r.app, 'iam', 'DeleteAccessKey', { UserName: 'alice', AccessKeyId: id })).status, 200);
    }
    assert.equal((await query(r.app, 'iam', 'DeleteUserPolicy', { UserName: 'alice', PolicyName: 'all' })).status, 200);
    assert.equal((await query(r.app, 'iam', 'DeleteUser', { UserName: 'alice' })).status, 200);
    assert.equal((await query(r.app, 'iam', 'GetUser', { UserName: 'alice' })).code, 'NoSuchEntity');
    assert.equal((await query(r.app, 'iam', 'CreateUser', { UserName: 'bad name!' })).code, 'ValidationError');
    assert.equal((await query(r.app, 'iam', 'DropTables')).code, 'InvalidAction');
  });

  test('GetCallerIdentity names the signer; a user key works until deactivated; a user is denied IAM without a policy', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const root = await query(r.app, 'sts', 'GetCallerIdentity');
    assert.equal(tag(root.xml, 'Arn'), `arn:aws:iam::${TEST_ACCOUNT}:root`);
    assert.equal(tag(root.xml, 'Account'), TEST_ACCOUNT);
    const key = await userWithKey(r, 'carol');
    const carol = await query(r.app, 'sts', 'GetCallerIdentity', {}, { key });
    assert.equal(tag(carol.xml, 'Arn'), `arn:aws:iam::${TEST_ACCOUNT}:user/carol`);
    const denied = await query(r.app, 'iam', 'CreateUser', { UserName: 'mallory' }, { key });
    assert.deepEqual([denied.status, denied.code], [403, 'AccessDenied']);
    await query(r.app, 'iam', 'UpdateAccessKey', { UserName: 'carol', AccessKeyId: key.accessKeyId, Status: 'Inactive' });
    assert.equal((await query(r.app, 'sts', 'GetCallerIdentity', {}, { key })).code, 'InvalidClientTokenId');
    assert.equal((await query(r.app, 'sts', 'GetCallerIdentity', {}, { unsigned: true })).code, 'MissingAuthenticationToken');
  });
});

describe('users on the ECR API and on /v2', () => {
  test('a user without a policy is denied; an identity policy grants exactly what it names', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const key = await userWithKey(r, 'dev');
    const denied = await ecr(r.app, 'CreateRepository', { repositoryName: 'dev/app' }, { key });
    assert.equal(denied.error, 'AccessDeniedException');
    assert.equal(denied.body.message, `User: arn:aws:iam::${TEST_ACCOUNT}:user/dev is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/dev/app`);
    await query(r.app, 'iam', 'PutUserPolicy', {
      UserName: 'dev',
      PolicyName: 'dev-repos',
      PolicyDocument: policy([
        { Effect: 'Allow', Action: ['ecr:CreateRepository', 'ecr:DescribeRepositories'], Resource: `arn:aws:ecr:*:*:repository/dev/*` },
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      ]),
    });
    assert.equal((await ecr(r.app, 'CreateRepository', { repositoryName: 'dev/app' }, { key })).status, 200);
    assert.equal((await ecr(r.app, 'CreateRepository', { repositoryName: 'ops/app' }, { key })).error, 'AccessDeniedException');
    await ecr(r.app, 'CreateRepository', { repositoryName: 'ops/app' });
    const listed = await ecr(r.app, 'DescribeRepositories', {}, { key });
    assert.deepEqual((listed.body.repositories as { repositoryName: string }[]).map((x) => x.repositoryName), ['dev/app'], 'only what the user may describe is listed');
    assert.equal((await ecr(r.app, 'GetAuthorizationToken', {}, { key })).status, 200);
  });

  test('a second user is denied the pull until a repository policy grants it, then pulls; deleting the user ends its token', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const img = image().layers(1, 100).build();
    await pushImage(r.app, 'shared/app', 'v1', img);
    const key = await userWithKey(r, 'reader');
    await query(r.app, 'iam', 'PutUserPolicy', { UserName: 'reader', PolicyName: 'login', PolicyDocument: policy([{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]) });
    const token = (await ecr(r.app, 'GetAuthorizationToken', {}, { key })).body.authorizationData as { authorizationToken: string }[];
    const authorization = `Basic ${token[0]!.authorizationToken}`;
    const before = await r.anonymous.inject({ method: 'GET', url: '/v2/shared/app/manifests/v1', headers: { authorization } });
    assert.equal(before.statusCode, 403);
    assert.equal(errorCode(before), 'DENIED');
    const grant = policy([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:user/reader` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }]);
    await ecr(r.app, 'SetRepositoryPolicy', { repositoryName: 'shared/app', policyText: grant });
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/shared/app/manifests/v1', headers: { authorization } })).statusCode, 200);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: `/v2/shared/app/blobs/${img.layers[0]!.digest}`, headers: { authorization } })).statusCode, 200);
    assert.equal((await r.anonymous.inject({ method: 'POST', url: '/v2/shared/app/blobs/uploads/', headers: { authorization } })).statusCode, 403, 'pull rights are not push rights');

    for (const id of [...(await query(r.app, 'iam', 'ListAccessKeys', { UserName: 'reader' })).xml.matchAll(/<AccessKeyId>(\w+)<\/AccessKeyId>/g)].map((m) => m[1]!)) {
      await query(r.app, 'iam', 'DeleteAccessKey', { UserName: 'reader', AccessKeyId: id });
    }
    await query(r.app, 'iam', 'DeleteUserPolicy', { UserName: 'reader', PolicyName: 'login' });
    await query(r.app, 'iam', 'DeleteUser', { UserName: 'reader' });
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/shared/app/manifests/v1', headers: { authorization } })).statusCode, 401, "a deleted user's password stops working");
  });

  test('ecr:ImageTag in a condition limits which tags a user may push', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'rel/app' });
    const key = await userWithKey(r, 'ci');
    const push = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage'];
    await query(r.app, 'iam', 'PutUserPolicy', {
      UserName: 'ci',
      PolicyName: 'release-tags',
      PolicyDocument: policy([
        { Effect: 'Allow', Action: [...push, 'ecr:GetAuthorizationToken'], Resource: '*' },
        { Effect: 'Allow', Action: 'ecr:PutImage', Resource: '*', Condition: { StringLike: { 'ecr:ImageTag': 'release-*' } } },
      ]),
    });
    const token = (await ecr(r.app, 'GetAuthorizationToken', {}, { key })).body.authorizationData as { authorizationToken: string }[];
    const authorization = `Basic ${token[0]!.authorizationToken}`;
    const asCi = { inject: (o: object) => r.anonymous.inject({ ...o, headers: { ...((o as { headers?: object }).headers ?? {}), authorization } }) } as TestRegistry['app'];
    const img = image().layers(1, 100).build();
    await pushImage(asCi, 'rel/app', 'release-1.0', img);
    const dev = await asCi.inject({ method: 'PUT', url: '/v2/rel/app/manifests/dev', payload: img.manifest.bytes, headers: { 'content-type': img.mediaType } });
    assert.equal(dev.statusCode, 403);
  });
});

describe('resource tags and repository creation in policies', () => {
  test('aws:ResourceTag conditions see the repository tags; a push that creates a repository needs ecr:CreateRepository', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'prod/app', tags: [{ Key: 'env', Value: 'prod' }] });
    await ecr(r.app, 'CreateRepository', { repositoryName: 'dev/app', tags: [{ Key: 'env', Value: 'dev' }] });
    const key = await userWithKey(r, 'devs');
    await query(r.app, 'iam', 'PutUserPolicy', {
      UserName: 'devs',
      PolicyName: 'dev-only',
      PolicyDocument: policy([{ Effect: 'Allow', Action: ['ecr:DescribeImages', 'ecr:InitiateLayerUpload'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } }, { Effect: 'Allow', Action: 'ecr:InitiateLayerUpload', Resource: '*' }]),
    });
    assert.equal((await ecr(r.app, 'DescribeImages', { repositoryName: 'dev/app' }, { key })).status, 200);
    assert.equal((await ecr(r.app, 'DescribeImages', { repositoryName: 'prod/app' }, { key })).error, 'AccessDeniedException');

    const { issueAuthorizationToken } = await import('../src/auth/tokens/authorization-token.js');
    const authorization = `Basic ${issueAuthorizationToken(r.controlPlane.identity.keyring, `arn:aws:iam::${TEST_ACCOUNT}:user/devs`, Date.now()).token}`;
    assert.equal((await r.anonymous.inject({ method: 'POST', url: '/v2/dev/app/blobs/uploads/', headers: { authorization } })).statusCode, 202);
    const creating = await r.anonymous.inject({ method: 'POST', url: '/v2/brand/new/blobs/uploads/', headers: { authorization } });
    assert.equal(creating.statusCode, 403);
    assert.match(creating.body, /ecr:CreateRepository/);
  });
});
