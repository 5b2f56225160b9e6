import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { ecr } from './helpers/ecr-client.js';
import { content, image, index, OCI_INDEX } from './helpers/images.js';
import { pushImage, putManifest } from './helpers/oci-client.js';
import { startTestRegistry, TEST_ACCOUNT } from './helpers/test-registry.js';

type Id = { imageDigest?: string; imageTag?: string };

describe('ECR API: images', () => {
  test('ListImages lists one id per tag and untagged digests, filtered and paged', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const a = image().layers(1, 32).build();
    const b = image().layers(1, 32).build();
    await pushImage(r.app, 'app', 'v1', a);
    await pushImage(r.app, 'app', 'latest', a);
    await pushImage(r.app, 'app', b.manifest.digest, b);
    const all = await ecr(r.app, 'ListImages', { repositoryName: 'app' });
    const ids = all.body.imageIds as Id[];
    assert.equal(ids.length, 3);
    assert.deepEqual(ids.filter((i) => i.imageDigest === a.manifest.digest).map((i) => i.imageTag).sort(), ['latest', 'v1']);
    assert.deepEqual(ids.find((i) => i.imageDigest === b.manifest.digest), { imageDigest: b.manifest.digest });
    const untagged = await ecr(r.app, 'ListImages', { repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } });
    assert.deepEqual(untagged.body.imageIds, [{ imageDigest: b.manifest.digest }]);
    const tagged = await ecr(r.app, 'ListImages', { repositoryName: 'app', filter: { tagStatus: 'TAGGED' } });
    assert.equal((tagged.body.imageIds as Id[]).length, 2);

    const seen: Id[] = [];
    let nextToken: unknown;
    do {
      const page = await ecr(r.app, 'ListImages', { repositoryName: 'app', maxResults: 1, ...(nextToken ? { nextToken } : {}) });
      seen.push(...(page.body.imageIds as Id[]));
      nextToken = page.body.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, ids);
    assert.equal((await ecr(r.app, 'ListImages', { repositoryName: 'nothing' })).error, 'RepositoryNotFoundException');
  });

  test('DescribeImages shows digest, tags, size, push time and media types; an unknown id is ImageNotFoundException', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const img = image().layers(2, 1000).build();
    await pushImage(r.app, 'app', 'v1', img);
    const res = await ecr(r.app, 'DescribeImages', { repositoryName: 'app' });
    const [detail] = res.body.imageDetails as Record<string, unknown>[];
    assert.ok(detail);
    assert.equal(detail.registryId, TEST_ACCOUNT);
    assert.equal(detail.repositoryName, 'app');
    assert.equal(detail.imageDigest, img.manifest.digest);
    assert.deepEqual(detail.imageTags, ['v1']);
    assert.equal(detail.imageSizeInBytes, 2000 + img.config.bytes.length);
    assert.ok(Math.abs((detail.imagePushedAt as number) - Date.now() / 1000) < 60);
    assert.equal(detail.imageManifestMediaType, img.mediaType);
    assert.equal(detail.artifactMediaType, 'application/vnd.oci.image.config.v1+json');

    const byTag = await ecr(r.app, 'DescribeImages', { repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] });
    assert.equal((byTag.body.imageDetails as unknown[]).length, 1);
    const missing = await ecr(r.app, 'DescribeImages', { repositoryName: 'app', imageIds: [{ imageTag: 'v9' }] });
    assert.equal(missing.error, 'ImageNotFoundException');
    assert.match(String(missing.body.message), /imageTag:'v9'/);
    assert.equal((await ecr(r.app, 'DescribeImages', { repositoryName: 'app', imageIds: [{ imageTag: 'v1' }], maxResults: 5 })).error, 'InvalidParameterException');
  });

  test('an index reports the size of its largest image', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const small = image().layers(1, 100).build();
    const big = image().layers(1, 5000).build();
    await pushImage(r.app, 'multi', small.manifest.digest, small);
    await pushImage(r.app, 'multi', big.manifest.digest, big);
    const idx = index([small.manifest, big.manifest]);
    assert.equal((await putManifest(r.app, 'multi', 'v1', idx, OCI_INDEX)).statusCode, 201);
    const res = await ecr(r.app, 'DescribeImages', { repositoryName: 'multi', imageIds: [{ imageTag: 'v1' }] });
    const [detail] = res.body.imageDetails as { imageSizeInBytes: number }[];
    assert.equal(detail?.imageSizeInBytes, 5000 + big.config.bytes.length);
  });

  test('BatchGetImage returns the manifest text, honours acceptedMediaTypes, and reports failures per id', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const img = image().layers(1, 32).build();
    await pushImage(r.app, 'app', 'v1', img);
    const res = await ecr(r.app, 'BatchGetImage', { repositoryName: 'app', imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }, { imageDigest: 'bad' }, {}] });
    const [got] = res.body.images as { imageId: Id; imageManifest: string; imageManifestMediaType: string }[];
    assert.equal(got?.imageManifest, img.manifest.bytes.toString());
    assert.deepEqual(got?.imageId, { imageDigest: img.manifest.digest, imageTag: 'v1' });
    assert.equal(got?.imageManifestMediaType, img.mediaType);
    const failures = res.body.failures as { failureCode: string }[];
    assert.deepEqual(failures.map((f) => f.failureCode), ['ImageNotFound', 'InvalidImageDigest', 'MissingDigestAndTag']);
    const refused = await ecr(r.app, 'BatchGetImage', { repositoryName: 'app', imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'] });
    assert.deepEqual(refused.body.images, []);
    assert.equal((refused.body.failures as unknown[]).length, 1);
    const mismatch = await ecr(r.app, 'BatchGetImage', { repositoryName: 'app', imageIds: [{ imageTag: 'v1', imageDigest: `sha256:${'0'.repeat(64)}` }] });
    assert.equal((mismatch.body.failures as { failureCode: string }[])[0]?.failureCode, 'ImageNotFound');
  });

  test("BatchDeleteImage: a tag removes the tag, the last tag the image; a digest removes the image and its tags; an index's child is kept", async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const img = image().layers(1, 32).build();
    await pushImage(r.app, 'app', 'v1', img);
    await pushImage(r.app, 'app', 'v2', img);
    const one = await ecr(r.app, 'BatchDeleteImage', { repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] });
    assert.deepEqual(one.body.imageIds, [{ imageDigest: img.manifest.digest, imageTag: 'v1' }]);
    assert.equal((await r.app.inject({ method: 'GET', url: `/v2/app/manifests/${img.manifest.digest}` })).statusCode, 200);
    const last = await ecr(r.app, 'BatchDeleteImage', { repositoryName: 'app', imageIds: [{ imageTag: 'v2' }] });
    assert.deepEqual(last.body.imageIds, [{ imageDigest: img.manifest.digest, imageTag: 'v2' }]);
    assert.equal((await r.app.inject({ method: 'GET', url: `/v2/app/manifests/${img.manifest.digest}` })).statusCode, 404);

    const other = image().layers(1, 32).build();
    await pushImage(r.app, 'app', 'a', other);
    await pushImage(r.app, 'app', 'b', other);
    const byDigest = await ecr(r.app, 'BatchDeleteImage', { repositoryName: 'app', imageIds: [{ imageDigest: other.manifest.digest }, { imageTag: 'gone' }] });
    assert.deepEqual(byDigest.body.imageIds, [{ imageDigest: other.manifest.digest, imageTag: 'a' }, { imageDigest: other.manifest.digest, imageTag: 'b' }]);
    assert.deepEqual((byDigest.body.failures as { failureCode: string }[]).map((f) => f.failureCode), ['ImageNotFound']);

    const child = image().layers(1, 32).build();
    await pushImage(r.app, 'app', child.manifest.digest, child);
    assert.equal((await putManifest(r.app, 'app', 'multi', index([child.manifest]), OCI_INDEX)).statusCode, 201);
    const kept = await ecr(r.app, 'BatchDeleteImage', { repositoryName: 'app', imageIds: [{ imageDigest: child.manifest.digest }] });
    assert.deepEqual(kept.body.imageIds, []);
    assert.deepEqual((kept.body.failures as { failureCode: string }[]).map((f) => f.failureCode), ['ImageReferencedByManifestList']);
  });

  test('the layer API and PutImage push an image that /v2 then serves', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'api-pushed' });
    const img = image().layers(1, 3000).build();
    for (const blob of [...img.layers, img.config]) {
      const started = await ecr(r.app, 'InitiateLayerUpload', { repositoryName: 'api-pushed' });
      const uploadId = started.body.uploadId as string;
      assert.match(uploadId, /^[0-9a-f-]{36}$/);
      const half = Math.floor(blob.bytes.length / 2);
      const first = await ecr(r.app, 'UploadLayerPart', { repositoryName: 'api-pushed', uploadId, partFirstByte: 0, partLastByte: half - 1, layerPartBlob: blob.bytes.subarray(0, half).toString('base64') });
      assert.equal(first.body.lastByteReceived, half - 1, JSON.stringify(first.body));
      const gap = await ecr(r.app, 'UploadLayerPart', { repositoryName: 'api-pushed', uploadId, partFirstByte: half + 5, partLastByte: blob.bytes.length + 4, layerPartBlob: blob.bytes.subarray(half).toString('base64') });
      assert.equal(gap.error, 'InvalidLayerPartException');
      assert.equal(gap.body.lastValidByteReceived, half - 1);
      await ecr(r.app, 'UploadLayerPart', { repositoryName: 'api-pushed', uploadId, partFirstByte: half, partLastByte: blob.bytes.length - 1, layerPartBlob: blob.bytes.subarray(half).toString('base64') });
      const done = await ecr(r.app, 'CompleteLayerUpload', { repositoryName: 'api-pushed', uploadId, layerDigests: [blob.digest] });
      assert.equal(done.body.layerDigest, blob.digest, JSON.stringify(done.body));
    }
    const check = await ecr(r.app, 'BatchCheckLayerAvailability', { repositoryName: 'api-pushed', layerDigests: [img.layers[0]!.digest, `sha256:${'1'.repeat(64)}`] });
    assert.deepEqual(check.body.layers, [{ layerDigest: img.layers[0]!.digest, layerAvailability: 'AVAILABLE', layerSize: 3000 }]);
    assert.equal((check.body.failures as { failureCode: string }[])[0]?.failureCode, 'MissingLayerDigest');

    const put = await ecr(r.app, 'PutImage', { repositoryName: 'api-pushed', imageManifest: img.manifest.bytes.toString(), imageTag: 'v1' });
    assert.deepEqual((put.body.image as { imageId: Id }).imageId, { imageDigest: img.manifest.digest, imageTag: 'v1' });
    assert.equal((await ecr(r.app, 'PutImage', { repositoryName: 'api-pushed', imageManifest: img.manifest.bytes.toString(), imageTag: 'v1' })).error, 'ImageAlreadyExistsException');
    const wrongDigest = await ecr(r.app, 'PutImage', { repositoryName: 'api-pushed', imageManifest: img.manifest.bytes.toString(), imageTag: 'v2', imageDigest: `sha256:${'2'.repeat(64)}` });
    assert.equal(wrongDigest.error, 'ImageDigestDoesNotMatchException');
    const served = await r.app.inject({ method: 'GET', url: '/v2/api-pushed/manifests/v1' });
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['docker-content-digest'], img.manifest.digest);

    const missingLayer = image().layers(1, 10).build();
    assert.equal((await ecr(r.app, 'PutImage', { repositoryName: 'api-pushed', imageManifest: missingLayer.manifest.bytes.toString(), imageTag: 'v3' })).error, 'LayersNotFoundException');

    const url = await ecr(r.app, 'GetDownloadUrlForLayer', { repositoryName: 'api-pushed', layerDigest: img.layers[0]!.digest });
    const blob = await r.app.inject({ method: 'GET', url: new URL(url.body.downloadUrl as string).pathname });
    assert.equal(createHash('sha256').update(blob.rawPayload).digest('hex'), img.layers[0]!.digest.slice(7));
    assert.equal((await ecr(r.app, 'GetDownloadUrlForLayer', { repositoryName: 'api-pushed', layerDigest: `sha256:${'3'.repeat(64)}` })).error, 'LayersNotFoundException');
    assert.equal((await ecr(r.app, 'CompleteLayerUpload', { repositoryName: 'api-pushed', uploadId: '00000000-0000-0000-0000-000000000000', layerDigests: [img.config.digest] })).error, 'UploadNotFoundException');
    const empty = await ecr(r.app, 'InitiateLayerUpload', { repositoryName: 'api-pushed' });
    assert.equal((await ecr(r.app, 'CompleteLayerUpload', { repositoryName: 'api-pushed', uploadId: empty.body.uploadId, layerDigests: [content('').digest] })).error, 'EmptyUploadException');
  });
});

describe('ECR API: policies', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
  });

  test('repository policies are set, read and deleted; invalid ones are refused', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'pub' });
    assert.equal((await ecr(r.app, 'GetRepositoryPolicy', { repositoryName: 'pub' })).error, 'RepositoryPolicyNotFoundException');
    const set = await ecr(r.app, 'SetRepositoryPolicy', { repositoryName: 'pub', policyText: policy });
    assert.deepEqual(set.body, { registryId: TEST_ACCOUNT, repositoryName: 'pub', policyText: policy });
    assert.equal((await ecr(r.app, 'GetRepositoryPolicy', { repositoryName: 'pub' })).body.policyText, policy);
    assert.equal((await ecr(r.app, 'DeleteRepositoryPolicy', { repositoryName: 'pub' })).body.policyText, policy);
    assert.equal((await ecr(r.app, 'DeleteRepositoryPolicy', { repositoryName: 'pub' })).error, 'RepositoryPolicyNotFoundException');
    for (const bad of ['not json', '{"Statement": []}', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage' }] })]) {
      const res = await ecr(r.app, 'SetRepositoryPolicy', { repositoryName: 'pub', policyText: bad });
      assert.equal(res.error, 'InvalidParameterException', bad);
      assert.match(String(res.body.message), /Invalid repository policy provided/);
    }
  });

  test("the registry policy accepts only ECR's registry actions", async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    assert.equal((await ecr(r.app, 'GetRegistryPolicy')).error, 'RegistryPolicyNotFoundException');
    const refused = await ecr(r.app, 'PutRegistryPolicy', { policyText: policy });
    assert.equal(refused.error, 'InvalidParameterException');
    assert.match(String(refused.body.message), /may only grant ecr:ReplicateImage/);
    const good = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::210987654321:root'] }, Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'], Resource: '*' }] });
    assert.equal((await ecr(r.app, 'PutRegistryPolicy', { policyText: good })).status, 200);
    assert.equal((await ecr(r.app, 'GetRegistryPolicy')).body.policyText, good);
    assert.equal((await ecr(r.app, 'DeleteRegistryPolicy')).body.policyText, good);
    assert.equal((await ecr(r.app, 'DeleteRegistryPolicy')).error, 'RegistryPolicyNotFoundException');
  });
});

type Repo = { imageTagMutability: string; imageTagMutabilityExclusionFilters?: unknown };

describe('tag immutability', () => {
  test('an IMMUTABLE repository never moves a tag (TAG_INVALID on /v2, ImageTagAlreadyExistsException on the API); a MUTABLE one does', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'release', imageTagMutability: 'IMMUTABLE' });
    const first = image().layers(1, 32).build();
    const second = image().layers(1, 32).build();
    await pushImage(r.app, 'release', 'v1', first);
    await pushImage(r.app, 'release', second.manifest.digest, second); // by digest: no tag moves
    const moved = await putManifest(r.app, 'release', 'v1', second.manifest, second.mediaType);
    assert.equal(moved.statusCode, 400);
    assert.equal(JSON.parse(moved.body).errors[0].code, 'TAG_INVALID');
    assert.equal(JSON.parse(moved.body).errors[0].message, "The image tag 'v1' already exists in the 'release' repository and cannot be overwritten because the repository is immutable.");
    assert.equal((await putManifest(r.app, 'release', 'v1', first.manifest, first.mediaType)).statusCode, 201, 'the same manifest again is fine');
    const api = await ecr(r.app, 'PutImage', { repositoryName: 'release', imageManifest: second.manifest.bytes.toString(), imageTag: 'v1' });
    assert.equal(api.error, 'ImageTagAlreadyExistsException');
    const served = await r.app.inject({ method: 'GET', url: '/v2/release/manifests/v1' });
    assert.equal(served.headers['docker-content-digest'], first.manifest.digest);

    await pushImage(r.app, 'mutable', 'v1', first);
    await pushImage(r.app, 'mutable', 'v1', second);
    assert.equal((await r.app.inject({ method: 'GET', url: '/v2/mutable/manifests/v1' })).headers['docker-content-digest'], second.manifest.digest);
  });

  test('the *_WITH_EXCLUSION modes: wildcard filters name the tags that behave the other way, on /v2 and PutImage', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const [one, two] = [image().layers(1, 32).build(), image().layers(1, 32).build()];
    /** Pushes `one` under the tag, then tries to move the tag to `two`: true when it moved, false on TAG_INVALID. */
    const moves = async (repo: string, tag: string) => {
      await pushImage(r.app, repo, tag, one);
      await pushImage(r.app, repo, two.manifest.digest, two);
      const moved = await putManifest(r.app, repo, tag, two.manifest, two.mediaType);
      if (moved.statusCode === 201) return true;
      assert.equal(JSON.parse(moved.body).errors[0].code, 'TAG_INVALID', moved.body);
      return false;
    };
    const created = await ecr(r.app, 'CreateRepository', {
      repositoryName: 'released',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
    });
    assert.deepEqual((created.body.repository as Repo).imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }]);
    assert.equal(await moves('released', 'v1.0'), false, 'a release tag is immutable');
    assert.equal(await moves('released', 'latest'), true, 'an excluded tag moves');
    assert.equal(await moves('released', 'dev-42'), true, 'a wildcard exclusion matches');
    assert.equal(await moves('released', 'xdev-42'), false, 'the whole tag must match');

    await ecr(r.app, 'CreateRepository', { repositoryName: 'nightly' });
    const put = await ecr(r.app, 'PutImageTagMutability', {
      repositoryName: 'nightly',
      imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'v*' }],
    });
    assert.deepEqual(put.body, { registryId: '123456789012', repositoryName: 'nightly', imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'v*' }] });
    assert.equal(await moves('nightly', 'main'), true, 'tags are mutable');
    assert.equal(await moves('nightly', 'v2'), false, 'but those the filter names');
    const api = await ecr(r.app, 'PutImage', { repositoryName: 'nightly', imageManifest: two.manifest.bytes.toString(), imageTag: 'v2' });
    assert.equal(api.error, 'ImageTagAlreadyExistsException');
    const described = await ecr(r.app, 'DescribeRepositories', { repositoryNames: ['nightly'] });
    assert.equal((described.body.repositories as Repo[])[0]!.imageTagMutability, 'MUTABLE_WITH_EXCLUSION');

    await ecr(r.app, 'PutImageTagMutability', { repositoryName: 'nightly', imageTagMutability: 'MUTABLE' });
    assert.equal(await moves('nightly', 'v2'), true, 'back to MUTABLE, the filters are gone');
    assert.equal(((await ecr(r.app, 'DescribeRepositories', { repositoryNames: ['nightly'] })).body.repositories as Repo[])[0]!.imageTagMutabilityExclusionFilters, undefined);
  });

  test('exclusion filters go with, and only with, the *_WITH_EXCLUSION modes; a missing repository is RepositoryNotFoundException', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'strict' });
    const filters = [{ filterType: 'WILDCARD', filter: 'latest' }];
    assert.equal((await ecr(r.app, 'PutImageTagMutability', { repositoryName: 'strict', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' })).error, 'InvalidParameterException');
    assert.equal((await ecr(r.app, 'PutImageTagMutability', { repositoryName: 'strict', imageTagMutability: 'IMMUTABLE', imageTagMutabilityExclusionFilters: filters })).error, 'InvalidParameterException');
    assert.equal((await ecr(r.app, 'CreateRepository', { repositoryName: 'strict2', imageTagMutability: 'MUTABLE', imageTagMutabilityExclusionFilters: filters })).error, 'InvalidParameterException');
    const badFilter = await ecr(r.app, 'PutImageTagMutability', { repositoryName: 'strict', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'a/b' }] });
    assert.equal(badFilter.error, 'InvalidParameterException');
    assert.equal((await ecr(r.app, 'PutImageTagMutability', { repositoryName: 'none/here', imageTagMutability: 'IMMUTABLE' })).error, 'RepositoryNotFoundException');
  });
});
