// The ECR API against the built server with real clients: both AWS CLIs, boto3 (two versions) and the
// AWS SDK for JavaScript. Images are pushed with skopeo, then seen through the API.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ECRClient, CreateRepositoryCommand, GetAuthorizationTokenCommand, RepositoryAlreadyExistsException, paginateDescribeRepositories } from '@aws-sdk/client-ecr';
import { ACCOUNT, ADMIN, REGION, aws, awsClis, awsEnv, awsJson } from './helpers/aws.js';
import { startBerth, type Berth } from './helpers/berth.js';
import { makeImage, writeLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/process.js';
import { makeSkopeo, type Skopeo } from './helpers/skopeo.js';

let berth: Berth;
let skopeo: Skopeo;
let work: string;

before(async () => {
  berth = await startBerth();
  skopeo = await makeSkopeo(() => berth.logTail());
  await skopeo.login(berth.host, await berth.loginPassword());
  work = await mkdtemp(path.join(tmpdir(), 'berth-e2e-aws-'));
});

after(async () => {
  const output = berth?.output() ?? '';
  await berth?.stop();
  await skopeo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
  assert.ok(!output.includes(ADMIN.secretAccessKey), 'the admin secret reached the log');
});

for (const cli of awsClis()) {
  describe(cli.name, () => {
    const repo = `${cli.path === '/usr/bin/aws' ? 'cli-v2' : 'cli-v1'}/app`;

    test('create, describe, push, describe-images, list, batch-get, batch-delete, delete', async () => {
      const created = await awsJson<{ repository: Record<string, unknown> }>(cli, berth.url, [
        'ecr', 'create-repository', '--repository-name', repo, '--image-tag-mutability', 'MUTABLE', '--image-scanning-configuration', 'scanOnPush=true', '--tags', 'Key=team,Value=platform',
      ]);
      assert.equal(created.repository.repositoryArn, `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repo}`);
      assert.equal(created.repository.repositoryUri, `${berth.host}/${repo}`);
      assert.deepEqual(created.repository.imageScanningConfiguration, { scanOnPush: true });

      const described = await awsJson<{ repositories: { repositoryName: string }[] }>(cli, berth.url, ['ecr', 'describe-repositories', '--repository-names', repo]);
      assert.deepEqual(described.repositories.map((r) => r.repositoryName), [repo]);
      const tags = await awsJson<{ tags: unknown[] }>(cli, berth.url, ['ecr', 'list-tags-for-resource', '--resource-arn', String(created.repository.repositoryArn)]);
      assert.deepEqual(tags.tags, [{ Key: 'team', Value: 'platform' }]);

      const image = makeImage({ layerBytes: 64 * 1024 });
      const layout = path.join(work, repo.replace('/', '-'));
      await writeLayout(layout, 'v1', image);
      await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${berth.host}/${repo}:v1`]);

      const images = await awsJson<{ imageDetails: Record<string, unknown>[] }>(cli, berth.url, ['ecr', 'describe-images', '--repository-name', repo]);
      assert.equal(images.imageDetails.length, 1);
      assert.equal(images.imageDetails[0]!.imageDigest, image.manifest.digest);
      assert.deepEqual(images.imageDetails[0]!.imageTags, ['v1']);
      assert.ok((images.imageDetails[0]!.imageSizeInBytes as number) >= 64 * 1024);

      const listed = await awsJson<{ imageIds: unknown[] }>(cli, berth.url, ['ecr', 'list-images', '--repository-name', repo]);
      assert.deepEqual(listed.imageIds, [{ imageDigest: image.manifest.digest, imageTag: 'v1' }]);
      const got = await awsJson<{ images: { imageManifest: string }[] }>(cli, berth.url, ['ecr', 'batch-get-image', '--repository-name', repo, '--image-ids', 'imageTag=v1']);
      assert.equal(JSON.parse(got.images[0]!.imageManifest).config.digest, image.config.digest);

      const refused = await aws(cli, berth.url, ['ecr', 'delete-repository', '--repository-name', repo]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /RepositoryNotEmptyException/, describeRun(refused));
      const deleted = await awsJson<{ imageIds: unknown[] }>(cli, berth.url, ['ecr', 'batch-delete-image', '--repository-name', repo, '--image-ids', 'imageTag=v1']);
      assert.deepEqual(deleted.imageIds, [{ imageDigest: image.manifest.digest, imageTag: 'v1' }]);
      await awsJson(cli, berth.url, ['ecr', 'delete-repository', '--repository-name', repo]);
      const gone = await aws(cli, berth.url, ['ecr', 'describe-repositories', '--repository-names', repo]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /RepositoryNotFoundException/);
      assert.match(gone.stderr, new RegExp(`The repository with name '${repo}' does not exist in the registry with id '${ACCOUNT}'`));
    });

    test('put-image-tag-mutability: IMMUTABLE everywhere, the *_WITH_EXCLUSION modes where the CLI knows them', async () => {
      const name = `${repo}-mutability`;
      await awsJson(cli, berth.url, ['ecr', 'create-repository', '--repository-name', name]);
      const immutable = await awsJson<{ imageTagMutability: string }>(cli, berth.url, ['ecr', 'put-image-tag-mutability', '--repository-name', name, '--image-tag-mutability', 'IMMUTABLE']);
      assert.equal(immutable.imageTagMutability, 'IMMUTABLE');
      if (cli.path === '/usr/bin/aws') return; // Debian's v2.9 predates the exclusion modes
      const excluded = await awsJson<{ imageTagMutability: string; imageTagMutabilityExclusionFilters: unknown[] }>(cli, berth.url, [
        'ecr', 'put-image-tag-mutability', '--repository-name', name, '--image-tag-mutability', 'IMMUTABLE_WITH_EXCLUSION',
        '--image-tag-mutability-exclusion-filters', 'filterType=WILDCARD,filter=latest', 'filterType=WILDCARD,filter=dev-*',
      ]);
      assert.equal(excluded.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
      assert.deepEqual(excluded.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }]);
      const described = await awsJson<{ repositories: { imageTagMutabilityExclusionFilters: unknown[] }[] }>(cli, berth.url, ['ecr', 'describe-repositories', '--repository-names', name]);
      assert.equal(described.repositories[0]!.imageTagMutabilityExclusionFilters.length, 2);
      const refused = await aws(cli, berth.url, ['ecr', 'put-image-tag-mutability', '--repository-name', name, '--image-tag-mutability', 'MUTABLE_WITH_EXCLUSION']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /InvalidParameterException/);
    });

    test('lifecycle: put-lifecycle-policy, a preview waited for with `aws ecr wait`, get and delete', async () => {
      const name = `${repo}-lifecycle`;
      await awsJson(cli, berth.url, ['ecr', 'create-repository', '--repository-name', name]);
      const layout = path.join(work, name.replace('/', '-'));
      for (const tag of ['v1', 'v2', 'v3']) {
        await writeLayout(layout, tag, makeImage({ layerBytes: 1024 }));
        await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${berth.host}/${name}:${tag}`]);
      }
      const text = JSON.stringify({ rules: [{ rulePriority: 1, description: 'keep one', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });
      const put = await awsJson<{ lifecyclePolicyText: string }>(cli, berth.url, ['ecr', 'put-lifecycle-policy', '--repository-name', name, '--lifecycle-policy-text', text]);
      assert.equal(put.lifecyclePolicyText, text);
      const got = await awsJson<{ lifecyclePolicyText: string }>(cli, berth.url, ['ecr', 'get-lifecycle-policy', '--repository-name', name]);
      assert.equal(got.lifecyclePolicyText, text);
      const started = await awsJson<{ status: string }>(cli, berth.url, ['ecr', 'start-lifecycle-policy-preview', '--repository-name', name]);
      assert.equal(started.status, 'IN_PROGRESS');
      const waited = await aws(cli, berth.url, ['ecr', 'wait', 'lifecycle-policy-preview-complete', '--repository-name', name]);
      assert.equal(waited.code, 0, describeRun(waited));
      const preview = await awsJson<{ status: string; previewResults: { imageTags: string[]; appliedRulePriority: number }[]; summary: { expiringImageTotalCount: number } }>(cli, berth.url, [
        'ecr', 'get-lifecycle-policy-preview', '--repository-name', name,
      ]);
      assert.equal(preview.status, 'COMPLETE');
      assert.equal(preview.summary.expiringImageTotalCount, 2);
      assert.deepEqual(preview.previewResults.map((p) => p.imageTags).sort(), [['v1'], ['v2']]);
      await awsJson(cli, berth.url, ['ecr', 'delete-lifecycle-policy', '--repository-name', name]);
      const gone = await aws(cli, berth.url, ['ecr', 'get-lifecycle-policy', '--repository-name', name]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /LifecyclePolicyNotFoundException/);
      const invalid = await aws(cli, berth.url, ['ecr', 'put-lifecycle-policy', '--repository-name', name, '--lifecycle-policy-text', JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] })]);
      assert.match(invalid.stderr, /InvalidParameterException.*Lifecycle policy validation failure/);
    });

    test('get-login-password gives a registry password; a wrong secret is refused', async () => {
      const login = await aws(cli, berth.url, ['ecr', 'get-login-password']);
      assert.equal(login.code, 0, describeRun(login));
      assert.match(login.stdout.trim(), /^berth1\.[\w-]+\.[\w-]+$/);
      const wrong = await aws(cli, berth.url, ['ecr', 'describe-repositories'], { accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'not/the/secret/at/all/0000000000000000000' });
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /InvalidSignatureException/, describeRun(wrong));
    });
  });
}

const BOTO3_SCRIPT = `
import json, sys, boto3, botocore
ecr = boto3.client('ecr', endpoint_url=sys.argv[1], region_name='${REGION}')
name = sys.argv[2]
out = {'created': ecr.create_repository(repositoryName=name, imageTagMutability='IMMUTABLE')['repository']}
try:
    ecr.create_repository(repositoryName=name)
    out['again'] = 'no error'
except ecr.exceptions.RepositoryAlreadyExistsException as e:
    out['again'] = e.response['Error']['Code']
pages = ecr.get_paginator('describe_repositories').paginate(PaginationConfig={'PageSize': 1})
out['names'] = [r['repositoryName'] for page in pages for r in page['repositories']]
out['token'] = ecr.get_authorization_token()['authorizationData'][0]['authorizationToken']
print(json.dumps(out, default=str))
`;

for (const python of ['python3', '/usr/bin/python3']) {
  test(`boto3 (${python}): create, typed exception, paginator, authorization token`, async () => {
    const name = `boto3/${python === 'python3' ? 'path' : 'debian'}`;
    const result = await run(python, ['-c', BOTO3_SCRIPT, berth.url, name], { env: awsEnv(), timeoutMs: 60_000 });
    assert.equal(result.code, 0, describeRun(result));
    const out = JSON.parse(result.stdout) as { created: Record<string, unknown>; again: string; names: string[]; token: string };
    assert.equal(out.created.imageTagMutability, 'IMMUTABLE');
    assert.equal(out.again, 'RepositoryAlreadyExistsException');
    assert.ok(out.names.includes(name), out.names.join(','));
    assert.match(Buffer.from(out.token, 'base64').toString(), /^AWS:berth1\./);
  });
}

test('the AWS SDK for JavaScript: typed exceptions, paginators, authorization token', async () => {
  const client = new ECRClient({ endpoint: berth.url, region: REGION, credentials: ADMIN });
  try {
    for (const n of [1, 2, 3]) await client.send(new CreateRepositoryCommand({ repositoryName: `js-sdk/repo-${n}` }));
    await assert.rejects(client.send(new CreateRepositoryCommand({ repositoryName: 'js-sdk/repo-1' })), (err: unknown) => err instanceof RepositoryAlreadyExistsException);
    const names: string[] = [];
    for await (const page of paginateDescribeRepositories({ client, pageSize: 2 }, {})) names.push(...(page.repositories ?? []).map((r) => r.repositoryName!));
    assert.deepEqual(names.filter((n) => n.startsWith('js-sdk/')), ['js-sdk/repo-1', 'js-sdk/repo-2', 'js-sdk/repo-3']);
    const token = await client.send(new GetAuthorizationTokenCommand({}));
    const data = token.authorizationData?.[0];
    assert.ok(data?.expiresAt instanceof Date);
    assert.ok(Math.abs(data.expiresAt.getTime() - Date.now() - 12 * 3600_000) < 120_000);
    assert.equal(data.proxyEndpoint, berth.url);
  } finally {
    client.destroy();
  }
});
