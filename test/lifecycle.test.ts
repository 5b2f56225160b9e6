import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backgroundContext } from '../src/core/context.js';
import { runLifecyclePolicy } from '../src/lifecycle/lifecycle.service.js';
import { collectGarbage } from '../src/registry/garbage-collection.js';
import { ecr } from './helpers/ecr-client.js';
import { image, index, OCI_INDEX, type BuiltImage } from './helpers/images.js';
import { pushImage, putManifest } from './helpers/oci-client.js';
import { startTestRegistry, type TestRegistry } from './helpers/test-registry.js';

const DAY = 86_400_000;
const ctx = backgroundContext();

const policy = (...rules: object[]) => JSON.stringify({ rules: rules.map((rule, i) => ({ rulePriority: i + 1, action: { type: 'expire' }, ...rule })) });
const KEEP_TWO_RELEASES = policy(
  { description: 'untagged after a day', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 } },
  { description: 'keep 2 releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 } },
);

/** Pushes an image and dates its push `daysAgo` days back (the database holds push times). */
async function pushDated(r: TestRegistry, repo: string, reference: string, daysAgo: number): Promise<BuiltImage> {
  const built = image().layers(1, 1000).build();
  await pushImage(r.app, repo, reference, built);
  await r.registry.metadata.db.updateTable('manifests').set({ pushed_at: Date.now() - daysAgo * DAY }).where('digest', '=', built.manifest.digest).execute();
  return built;
}

async function tagsOf(r: TestRegistry, repo: string): Promise<string[]> {
  const res = await r.app.inject({ method: 'GET', url: `/v2/${repo}/tags/list` });
  return (JSON.parse(res.body) as { tags: string[] | null }).tags ?? [];
}

describe('lifecycle policies', () => {
  test('Put, Get and Delete with ECR shapes and errors', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'life/api' });
    assert.equal((await ecr(r.app, 'GetLifecyclePolicy', { repositoryName: 'life/api' })).error, 'LifecyclePolicyNotFoundException');
    const put = await ecr(r.app, 'PutLifecyclePolicy', { repositoryName: 'life/api', lifecyclePolicyText: KEEP_TWO_RELEASES });
    assert.deepEqual(put.body, { registryId: '123456789012', repositoryName: 'life/api', lifecyclePolicyText: KEEP_TWO_RELEASES });
    const got = await ecr(r.app, 'GetLifecyclePolicy', { repositoryName: 'life/api' });
    assert.equal(got.body.lifecyclePolicyText, KEEP_TWO_RELEASES);
    assert.equal(got.body.lastEvaluatedAt, undefined, 'never evaluated yet');

    const bad = await ecr(r.app, 'PutLifecyclePolicy', {
      repositoryName: 'life/api',
      lifecyclePolicyText: policy({ selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 } }),
    });
    assert.equal(bad.error, 'InvalidParameterException');
    assert.match(String(bad.body.message), /Lifecycle policy validation failure: Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED/);
    const archive = await ecr(r.app, 'PutLifecyclePolicy', {
      repositoryName: 'life/api',
      lifecyclePolicyText: policy({ selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'transition', targetStorageClass: 'archive' } }),
    });
    assert.equal(archive.error, 'InvalidParameterException');
    assert.match(String(archive.body.message), /archive/);
    assert.equal((await ecr(r.app, 'PutLifecyclePolicy', { repositoryName: 'life/none', lifecyclePolicyText: KEEP_TWO_RELEASES })).error, 'RepositoryNotFoundException');

    const deleted = await ecr(r.app, 'DeleteLifecyclePolicy', { repositoryName: 'life/api' });
    assert.equal(deleted.body.lifecyclePolicyText, KEEP_TWO_RELEASES);
    const again = await ecr(r.app, 'DeleteLifecyclePolicy', { repositoryName: 'life/api' });
    assert.equal(again.error, 'LifecyclePolicyNotFoundException');
    assert.match(String(again.body.message), /^Lifecycle policy does not exist for the repository with name 'life\/api' in the registry with id '123456789012'$/);
  });

  test('a preview lists what would expire, by rule, and expires nothing', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const v1 = await pushDated(r, 'life/app', 'v1', 30);
    await pushDated(r, 'life/app', 'v2', 20);
    await pushDated(r, 'life/app', 'v3', 10);
    const untaggedOld = image().layers(1, 1000).build();
    await pushImage(r.app, 'life/app', untaggedOld.manifest.digest, untaggedOld);
    await r.registry.metadata.db.updateTable('manifests').set({ pushed_at: Date.now() - 3 * DAY }).where('digest', '=', untaggedOld.manifest.digest).execute();
    await pushDated(r, 'life/app', 'latest', 0);

    assert.equal((await ecr(r.app, 'GetLifecyclePolicyPreview', { repositoryName: 'life/app' })).error, 'LifecyclePolicyPreviewNotFoundException');
    const started = await ecr(r.app, 'StartLifecyclePolicyPreview', { repositoryName: 'life/app', lifecyclePolicyText: KEEP_TWO_RELEASES });
    assert.equal(started.body.status, 'IN_PROGRESS');
    const preview = await ecr(r.app, 'GetLifecyclePolicyPreview', { repositoryName: 'life/app' });
    assert.equal(preview.body.status, 'COMPLETE');
    const results = preview.body.previewResults as { imageDigest: string; imageTags?: string[]; appliedRulePriority: number; action: { type: string } }[];
    assert.deepEqual(
      results.map((p) => [p.imageTags ?? [], p.appliedRulePriority, p.action.type]),
      [
        [[], 1, 'EXPIRE'],
        [['v1'], 2, 'EXPIRE'],
      ],
    );
    assert.equal(results[1]!.imageDigest, v1.manifest.digest);
    const summary = preview.body.summary as { expiringImageTotalCount: number; expiringImageTotalBytes: number };
    assert.equal(summary.expiringImageTotalCount, 2);
    assert.ok(summary.expiringImageTotalBytes > 2000, `the bytes the preview frees: ${summary.expiringImageTotalBytes}`);
    const untaggedOnly = await ecr(r.app, 'GetLifecyclePolicyPreview', { repositoryName: 'life/app', filter: { tagStatus: 'UNTAGGED' } });
    assert.equal((untaggedOnly.body.previewResults as unknown[]).length, 1);
    const paged = await ecr(r.app, 'GetLifecyclePolicyPreview', { repositoryName: 'life/app', maxResults: 1 });
    assert.equal((paged.body.previewResults as unknown[]).length, 1);
    const next = await ecr(r.app, 'GetLifecyclePolicyPreview', { repositoryName: 'life/app', maxResults: 1, nextToken: paged.body.nextToken });
    assert.equal((next.body.previewResults as { imageDigest: string }[])[0]!.imageDigest, v1.manifest.digest);
    assert.deepEqual((await tagsOf(r, 'life/app')).sort(), ['latest', 'v1', 'v2', 'v3'], 'nothing expired');
  });

  test('a run expires what the policy selects, with its referrers, and garbage collection frees the bytes', async (t) => {
    let now = Date.now();
    const r = await startTestRegistry({ clock: { now: () => new Date(now) }, settings: { gcGraceMs: 1000 } });
    t.after(() => r.close());
    const v1 = await pushDated(r, 'life/run', 'v1', 30);
    await pushDated(r, 'life/run', 'v2', 20);
    await pushDated(r, 'life/run', 'v3', 10);
    const signature = image().artifactOf(v1.manifest, 'application/vnd.dev.cosign.artifact.sig.v1+json').build();
    await pushImage(r.app, 'life/run', signature.manifest.digest, signature);
    await ecr(r.app, 'PutLifecyclePolicy', { repositoryName: 'life/run', lifecyclePolicyText: KEEP_TWO_RELEASES });

    const dry = await runLifecyclePolicy(r.registry, 'life/run', { dryRun: true });
    assert.deepEqual(dry.decisions.map((d) => d.digest), [v1.manifest.digest], 'the signature is not an image of its own');
    assert.deepEqual(dry.expired, []);
    const run = await runLifecyclePolicy(r.registry, 'life/run');
    assert.deepEqual(run.expired, [v1.manifest.digest]);
    assert.deepEqual((await tagsOf(r, 'life/run')).sort(), ['v2', 'v3']);
    const referrer = await r.app.inject({ method: 'GET', url: `/v2/life/run/manifests/${signature.manifest.digest}` });
    assert.equal(referrer.statusCode, 404, 'the signature went with its subject');
    assert.ok((await ecr(r.app, 'GetLifecyclePolicy', { repositoryName: 'life/run' })).body.lastEvaluatedAt);

    now += 2000;
    const gc = await collectGarbage(r.registry, ctx);
    assert.ok(gc.bytesFreed >= run.bytesFreed, `gc freed ${gc.bytesFreed}, the run said ${run.bytesFreed}`);
    assert.ok(run.bytesFreed > 1000);
  });

  test('an index expires with its children; sinceImagePulled counts from the last recorded pull', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const pulled = await pushDated(r, 'life/pulls', 'pulled', 40);
    const idle = await pushDated(r, 'life/pulls', 'idle', 40);
    await r.app.inject({ method: 'GET', url: '/v2/life/pulls/manifests/pulled' });
    await r.registry.pullTimes.flush((work) => r.registry.metadata.transaction(work));
    const described = await ecr(r.app, 'DescribeImages', { repositoryName: 'life/pulls', imageIds: [{ imageTag: 'pulled' }] });
    assert.ok((described.body.imageDetails as { lastRecordedPullTime?: number }[])[0]!.lastRecordedPullTime, 'DescribeImages shows the pull');
    await ecr(r.app, 'PutLifecyclePolicy', {
      repositoryName: 'life/pulls',
      lifecyclePolicyText: policy({ selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 } }),
    });
    const children = [image().layers(1, 100).build(), image().layers(1, 100).build()];
    for (const child of children) await pushImage(r.app, 'life/pulls', child.manifest.digest, child);
    const multi = index(children.map((c) => c.manifest));
    const put = await putManifest(r.app, 'life/pulls', 'multi', multi, OCI_INDEX);
    assert.equal(put.statusCode, 201, put.body);
    await r.registry.metadata.db.updateTable('manifests').set({ pushed_at: Date.now() - 40 * DAY }).where('repository_id', '=', (eb) => eb.selectFrom('repositories').select('id').where('name', '=', 'life/pulls')).where('digest', '!=', pulled.manifest.digest).execute();

    const run = await runLifecyclePolicy(r.registry, 'life/pulls');
    assert.deepEqual(run.decisions.map((d) => d.digest).sort(), [idle.manifest.digest, multi.digest].sort(), 'the children are not judged on their own');
    assert.deepEqual(await tagsOf(r, 'life/pulls'), ['pulled']);
    for (const child of children) {
      assert.equal((await r.app.inject({ method: 'HEAD', url: `/v2/life/pulls/manifests/${child.manifest.digest}` })).statusCode, 404, 'a child goes with its index');
    }
  });
});
