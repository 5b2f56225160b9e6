import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ecr } from './helpers/ecr-client.js';
import { image } from './helpers/images.js';
import { pushImage } from './helpers/oci-client.js';
import { startTestRegistry, TEST_ACCOUNT } from './helpers/test-registry.js';

describe('ECR API: protocol and authentication', () => {
  test('an unsigned call is MissingAuthenticationTokenException; a wrong secret InvalidSignatureException; an unknown key UnrecognizedClientException', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    assert.equal((await ecr(r.app, 'DescribeRepositories', {}, { unsigned: true })).error, 'MissingAuthenticationTokenException');
    const wrongSecret = await ecr(r.app, 'DescribeRepositories', {}, { key: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) } });
    assert.equal(wrongSecret.status, 400);
    assert.equal(wrongSecret.error, 'InvalidSignatureException');
    assert.equal((await ecr(r.app, 'DescribeRepositories', {}, { key: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) } })).error, 'UnrecognizedClientException');
    assert.equal((await ecr(r.app, 'CreateRepository', { repositoryName: 'a1' }, { tamperedBody: '{"repositoryName":"b2"}' })).error, 'InvalidSignatureException');
    const skewed = await ecr(r.app, 'DescribeRepositories', {}, { date: new Date(Date.now() - 20 * 60_000) });
    assert.equal(skewed.error, 'InvalidSignatureException');
    assert.match(String(skewed.body.message), /Signature expired/);
    assert.equal((await ecr(r.app, 'DescribeRepositories', {}, { region: 'eu-west-1' })).error, 'InvalidSignatureException');
  });

  test('an unknown operation and malformed JSON get the protocol errors', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    assert.equal((await ecr(r.app, 'LaunchRockets')).error, 'UnknownOperationException');
    assert.equal((await ecr(r.app, 'CreateRepository', undefined, { rawBody: '{"repositoryName": ' })).error, 'SerializationException');
    assert.equal((await ecr(r.app, 'CreateRepository', { repositoryName: 42 })).error, 'SerializationException');
  });

  test('constraint violations name the member and constraint as AWS does', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const res = await ecr(r.app, 'CreateRepository', { repositoryName: 'A', imageTagMutability: 'SOMETIMES' });
    assert.equal(res.error, 'InvalidParameterException');
    assert.equal(
      res.body.message,
      "3 validation errors detected: Value 'A' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
        "Value 'A' at 'repositoryName' failed to satisfy constraint: Member must satisfy regular expression pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*; " +
        "Value 'SOMETIMES' at 'imageTagMutability' failed to satisfy constraint: Member must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]",
    );
    const missing = await ecr(r.app, 'CreateRepository', {});
    assert.match(String(missing.body.message), /Value null at 'repositoryName' failed to satisfy constraint: Member must not be null/);
    assert.equal((await ecr(r.app, 'DescribeRepositories', { maxResults: 0 })).error, 'InvalidParameterException');
  });
});

describe('ECR API: repositories', () => {
  test('CreateRepository carries the settings and tags; a second create is RepositoryAlreadyExistsException', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const created = await ecr(r.app, 'CreateRepository', {
      repositoryName: 'team/app',
      tags: [{ Key: 'env', Value: 'test' }],
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'alias/berth' },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const repo = created.body.repository as Record<string, unknown>;
    assert.equal(repo.repositoryArn, `arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/team/app`);
    assert.equal(repo.registryId, TEST_ACCOUNT);
    assert.equal(repo.repositoryUri, 'localhost:80/team/app');
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(repo.encryptionConfiguration, { encryptionType: 'KMS', kmsKey: 'alias/berth' });
    assert.ok(Math.abs((repo.createdAt as number) - Date.now() / 1000) < 60);

    const tags = await ecr(r.app, 'ListTagsForResource', { resourceArn: repo.repositoryArn });
    assert.deepEqual(tags.body.tags, [{ Key: 'env', Value: 'test' }]);

    const again = await ecr(r.app, 'CreateRepository', { repositoryName: 'team/app' });
    assert.equal(again.error, 'RepositoryAlreadyExistsException');
    assert.equal(again.body.message, `The repository with name 'team/app' already exists in the registry with id '${TEST_ACCOUNT}'`);
  });

  test('DescribeRepositories pages with nextToken, and names a missing repository', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    for (const name of ['c-repo', 'a-repo', 'b-repo']) assert.equal((await ecr(r.app, 'CreateRepository', { repositoryName: name })).status, 200);
    const first = await ecr(r.app, 'DescribeRepositories', { maxResults: 2 });
    assert.deepEqual((first.body.repositories as { repositoryName: string }[]).map((x) => x.repositoryName), ['a-repo', 'b-repo']);
    assert.equal(typeof first.body.nextToken, 'string');
    const second = await ecr(r.app, 'DescribeRepositories', { maxResults: 2, nextToken: first.body.nextToken });
    assert.deepEqual((second.body.repositories as { repositoryName: string }[]).map((x) => x.repositoryName), ['c-repo']);
    assert.equal(second.body.nextToken, undefined);
    const named = await ecr(r.app, 'DescribeRepositories', { repositoryNames: ['b-repo'] });
    assert.equal((named.body.repositories as unknown[]).length, 1);
    const missing = await ecr(r.app, 'DescribeRepositories', { repositoryNames: ['b-repo', 'nope'] });
    assert.equal(missing.error, 'RepositoryNotFoundException');
    assert.equal(missing.body.message, `The repository with name 'nope' does not exist in the registry with id '${TEST_ACCOUNT}'`);
    assert.equal((await ecr(r.app, 'DescribeRepositories', { nextToken: 'garbage' })).error, 'InvalidParameterException');
  });

  test('DeleteRepository refuses a repository with images unless forced; then its images are gone', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'busy' });
    await pushImage(r.app, 'busy', 'v1', image().layers(1, 64).build());
    const refused = await ecr(r.app, 'DeleteRepository', { repositoryName: 'busy' });
    assert.equal(refused.error, 'RepositoryNotEmptyException');
    const forced = await ecr(r.app, 'DeleteRepository', { repositoryName: 'busy', force: true });
    assert.equal(forced.status, 200);
    assert.equal((forced.body.repository as { repositoryName: string }).repositoryName, 'busy');
    assert.equal((await r.app.inject({ method: 'GET', url: '/v2/busy/manifests/v1' })).statusCode, 404);
    assert.equal((await ecr(r.app, 'DeleteRepository', { repositoryName: 'busy' })).error, 'RepositoryNotFoundException');
  });

  test('TagResource and UntagResource change the tags; bad tags and foreign ARNs are refused', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const arn = `arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/tagged`;
    await ecr(r.app, 'CreateRepository', { repositoryName: 'tagged', tags: [{ Key: 'a', Value: '1' }] });
    assert.equal((await ecr(r.app, 'TagResource', { resourceArn: arn, tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }] })).status, 200);
    assert.deepEqual((await ecr(r.app, 'ListTagsForResource', { resourceArn: arn })).body.tags, [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }]);
    assert.equal((await ecr(r.app, 'UntagResource', { resourceArn: arn, tagKeys: ['a'] })).status, 200);
    assert.deepEqual((await ecr(r.app, 'ListTagsForResource', { resourceArn: arn })).body.tags, [{ Key: 'b', Value: '3' }]);
    assert.equal((await ecr(r.app, 'TagResource', { resourceArn: arn, tags: [{ Key: 'aws:x', Value: '1' }] })).error, 'InvalidTagParameterException');
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    assert.equal((await ecr(r.app, 'TagResource', { resourceArn: arn, tags: many })).error, 'TooManyTagsException');
    assert.equal((await ecr(r.app, 'ListTagsForResource', { resourceArn: 'arn:aws:ecr:us-east-1:999999999999:repository/tagged' })).error, 'InvalidParameterException');
    assert.equal((await ecr(r.app, 'ListTagsForResource', { resourceArn: `arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/none` })).error, 'RepositoryNotFoundException');
  });

  test('DescribeRegistry and GetAuthorizationToken answer in the SDK shapes', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    assert.deepEqual((await ecr(r.app, 'DescribeRegistry')).body, { registryId: TEST_ACCOUNT, replicationConfiguration: { rules: [] } });
    const token = await ecr(r.app, 'GetAuthorizationToken');
    const [data] = token.body.authorizationData as { authorizationToken: string; expiresAt: number; proxyEndpoint: string }[];
    assert.ok(data);
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    assert.match(decoded, /^AWS:berth1\.[\w-]+\.[\w-]+$/);
    assert.ok(Math.abs(data.expiresAt - (Date.now() / 1000 + 12 * 3600)) < 60);
    assert.equal(data.proxyEndpoint, 'http://localhost:80');
  });
});
