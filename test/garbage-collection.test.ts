import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backgroundContext } from '../src/core/context.js';
import { parseDigest } from '../src/core/digest.js';
import { collectGarbage } from '../src/registry/garbage-collection.js';
import { contentKey } from '../src/storage/keys.js';
import { content, image } from './helpers/images.js';
import { issueAuthorizationToken } from '../src/auth/tokens/authorization-token.js';
import { ecr, query } from './helpers/ecr-client.js';
import { errorCode, pushBlob, pushImage, putManifest } from './helpers/oci-client.js';
import { startTestRegistry, TEST_ACCOUNT, type TestRegistry } from './helpers/test-registry.js';

const ctx = backgroundContext();
const GRACE = 60_000;

/** A test registry on a clock the test moves. */
async function registryWithClock(): Promise<{ r: TestRegistry; advance(ms: number): void }> {
  let now = Date.now();
  const r = await startTestRegistry({ clock: { now: () => new Date(now) }, settings: { gcGraceMs: GRACE } });
  return { r, advance: (ms) => void (now += ms) };
}

async function stored(r: TestRegistry, digest: string): Promise<boolean> {
  return (await r.storage.stat(ctx, contentKey(parseDigest(digest)))) !== null;
}

const head = async (r: TestRegistry, repo: string, digest: string) => (await r.app.inject({ method: 'HEAD', url: `/v2/${repo}/blobs/${digest}` })).statusCode;

describe('online garbage collection', () => {
  test('an uploaded blob no manifest uses is collected after the grace period, not before', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const orphan = content('never referenced');
    await pushBlob(r.app, 'gc/orphans', orphan);
    advance(GRACE - 1_000);
    let report = await collectGarbage(r.registry, ctx);
    assert.equal(report.deleted, 0);
    assert.equal(report.queue.waiting, 1);
    assert.equal(await head(r, 'gc/orphans', orphan.digest), 200);

    advance(2_000);
    report = await collectGarbage(r.registry, ctx);
    assert.deepEqual({ reviewed: report.reviewed, kept: report.kept, deleted: report.deleted, bytesFreed: report.bytesFreed }, { reviewed: 1, kept: 0, deleted: 1, bytesFreed: orphan.bytes.length });
    assert.equal(await head(r, 'gc/orphans', orphan.digest), 404);
    assert.equal(await stored(r, orphan.digest), false, 'the bytes are gone from storage');
  });

  test('pushing an unreferenced blob again starts its grace period again', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const orphan = content('pushed twice');
    await pushBlob(r.app, 'gc/again', orphan);
    advance(GRACE - 1_000);
    await pushBlob(r.app, 'gc/again', orphan);
    advance(2_000);
    let report = await collectGarbage(r.registry, ctx);
    assert.equal(report.deleted, 0, 'a full grace period has not passed since the second push');
    assert.equal(await head(r, 'gc/again', orphan.digest), 200);

    advance(GRACE);
    report = await collectGarbage(r.registry, ctx);
    assert.equal(report.deleted, 1);
    assert.equal(await head(r, 'gc/again', orphan.digest), 404);
  });

  test('an image keeps its blobs; deleting it frees what no other image shares, after the grace period', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const shared = content('a base layer both images use');
    const one = image().layers(1, 256).build();
    const two = image().layers(1, 256).build();
    for (const built of [one, two]) {
      await pushBlob(r.app, 'gc/app', shared);
      await pushImage(r.app, 'gc/app', built === one ? 'one' : 'two', built);
    }
    // Manifests that list the shared layer too.
    advance(GRACE + 1);
    let report = await collectGarbage(r.registry, ctx);
    assert.equal(report.deleted, 1, 'only the shared layer, which no manifest lists, goes');
    assert.equal(await stored(r, shared.digest), false);
    assert.equal(report.kept, 4, "both images' layer and config stay, and their review ends");

    const gone = await r.app.inject({ method: 'DELETE', url: `/v2/gc/app/manifests/${one.manifest.digest}` });
    assert.equal(gone.statusCode, 202);
    report = await collectGarbage(r.registry, ctx);
    assert.equal(report.deleted, 0, 'nothing before the grace period');
    advance(GRACE + 1);
    report = await collectGarbage(r.registry, ctx);
    assert.equal(report.deleted, 3, "the deleted image's layer, config and manifest bytes");
    for (const digest of [one.manifest.digest, one.config.digest, one.layers[0]!.digest]) assert.equal(await stored(r, digest), false, digest);
    for (const digest of [two.manifest.digest, two.config.digest, two.layers[0]!.digest]) assert.equal(await stored(r, digest), true, digest);
    assert.equal((await r.app.inject({ method: 'GET', url: '/v2/gc/app/manifests/two' })).statusCode, 200);
  });

  test('a dry run reports what a run would free and changes nothing', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const blobs = [content('a'.repeat(100)), content('b'.repeat(200))];
    for (const blob of blobs) await pushBlob(r.app, 'gc/dry', blob);
    await r.app.inject({ method: 'POST', url: '/v2/gc/dry/blobs/uploads/' });
    advance(GRACE + 1);
    const dry = await collectGarbage(r.registry, ctx, { dryRun: true });
    assert.deepEqual({ deleted: dry.deleted, bytesFreed: dry.bytesFreed, uploadsExpired: dry.uploadsExpired, dryRun: dry.dryRun }, { deleted: 2, bytesFreed: 300, uploadsExpired: 1, dryRun: true });
    for (const blob of blobs) assert.equal(await head(r, 'gc/dry', blob.digest), 200);
    const real = await collectGarbage(r.registry, ctx);
    assert.deepEqual({ deleted: real.deleted, bytesFreed: real.bytesFreed, uploadsExpired: real.uploadsExpired }, { deleted: 2, bytesFreed: 300, uploadsExpired: 1 });
  });

  test('an upload session that never received bytes expires too; a dry run only counts it', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const start = await r.app.inject({ method: 'POST', url: '/v2/gc/empty/blobs/uploads/' });
    const location = new URL(start.headers.location as string).pathname;
    advance(GRACE * 2);
    assert.equal((await collectGarbage(r.registry, ctx, { dryRun: true })).uploadsExpired, 1);
    assert.equal((await r.app.inject({ method: 'GET', url: location })).statusCode, 204, 'a dry run leaves the session');
    assert.equal((await collectGarbage(r.registry, ctx)).uploadsExpired, 1);
    const status = await r.app.inject({ method: 'GET', url: location });
    assert.equal(status.statusCode, 404);
    assert.equal(errorCode(status), 'BLOB_UPLOAD_UNKNOWN');
  });

  test('an upload session idle for the grace period expires with its bytes', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const start = await r.app.inject({ method: 'POST', url: '/v2/gc/uploads/blobs/uploads/' });
    const location = new URL(start.headers.location as string).pathname;
    const patch = await r.app.inject({ method: 'PATCH', url: location, payload: Buffer.alloc(1000, 1), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(patch.statusCode, 202);
    advance(GRACE / 2);
    assert.equal((await collectGarbage(r.registry, ctx)).uploadsExpired, 0);
    advance(GRACE);
    assert.equal((await collectGarbage(r.registry, ctx)).uploadsExpired, 1);
    const status = await r.app.inject({ method: 'GET', url: location });
    assert.equal(status.statusCode, 404);
    assert.equal(errorCode(status), 'BLOB_UPLOAD_UNKNOWN');
    const left = [];
    for await (const object of r.storage.list(ctx, 'uploads/')) left.push(object.key);
    assert.deepEqual(left, [], 'no bytes of the upload are left');
  });

  test('collected content can be pushed again; a run interrupted after marking is finished by the next', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const blob = content('comes back');
    await pushBlob(r.app, 'gc/again', blob);
    advance(GRACE + 1);
    // A run that stopped after its transaction: the row is `deleting`, the bytes are still there.
    await r.registry.metadata.db.updateTable('blobs').set({ state: 'deleting', review_after: null }).where('digest', '=', blob.digest).execute();
    await r.registry.metadata.db.deleteFrom('repository_blobs').where('digest', '=', blob.digest).execute();
    assert.equal(await head(r, 'gc/again', blob.digest), 404, 'a deleting blob is never served');
    const report = await collectGarbage(r.registry, ctx);
    assert.equal(report.deleted, 1);
    assert.equal(await stored(r, blob.digest), false);

    await pushBlob(r.app, 'gc/again', blob);
    assert.equal(await head(r, 'gc/again', blob.digest), 200);
    assert.equal(await stored(r, blob.digest), true);
  });

  test('a scrub removes stored bytes that no row knows of once they are older than the grace period', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const orphan = content('written by a push that failed');
    await r.storage.put(ctx, contentKey(parseDigest(orphan.digest)), orphan.bytes);
    await r.storage.put(ctx, 'uploads/0b5e6a1c-0000-4000-8000-000000000000/data', Buffer.from('abandoned'));
    const kept = content('a blob with its row');
    await pushBlob(r.app, 'gc/scrub', kept);
    assert.equal((await collectGarbage(r.registry, ctx, { scrub: true })).orphansRemoved, 0, 'too young');
    advance(GRACE + 5_000); // the test clock started before the bytes were written
    assert.equal((await collectGarbage(r.registry, ctx)).orphansRemoved, 0, 'only a scrub looks at the store');
    const report = await collectGarbage(r.registry, ctx, { scrub: true });
    assert.equal(report.orphansRemoved, 1, JSON.stringify(report));
    assert.equal(report.uploadsExpired, 1, 'the abandoned upload bytes');
    assert.equal(await stored(r, orphan.digest), false);
    assert.equal(await r.storage.stat(ctx, 'uploads/0b5e6a1c-0000-4000-8000-000000000000/data'), null);
  });

  test('a manifest pushed while its blob is being collected is refused or keeps it, never left without it', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    for (let round = 0; round < 10; round++) {
      const built = image().layers(1, 128).build();
      const repo = `gc/race${round}`;
      for (const blob of [...built.layers, built.config]) await pushBlob(r.app, repo, blob);
      advance(GRACE + 1);
      const [pushed] = await Promise.all([putManifest(r.app, repo, 'v1', built.manifest, built.mediaType), collectGarbage(r.registry, ctx)]);
      if (pushed.statusCode === 201) {
        for (const blob of [...built.layers, built.config]) {
          assert.equal(await stored(r, blob.digest), true, `round ${round}: an accepted manifest keeps its blobs`);
          assert.equal(await head(r, repo, blob.digest), 200);
        }
        // And a later run keeps them too.
        advance(GRACE + 1);
        await collectGarbage(r.registry, ctx);
        assert.equal(await stored(r, built.layers[0]!.digest), true);
      } else {
        assert.equal(errorCode(pushed), 'MANIFEST_BLOB_UNKNOWN', pushed.body);
      }
    }
  });
});

describe('garbage collection: the API, /metrics and berth gc', () => {
  test('GET /api/gc reports the queue and storage; POST runs one; only those allowed may', async (t) => {
    const { r, advance } = await registryWithClock();
    t.after(() => r.close());
    const orphan = content('x'.repeat(1000));
    await pushBlob(r.app, 'gc/api', orphan);
    await pushImage(r.app, 'gc/api', 'v1', image().layers(1, 500).build());
    advance(GRACE + 1);
    const auth = { authorization: r.rootAuthorization };
    const status = await r.app.inject({ method: 'GET', url: '/api/gc', headers: auth });
    assert.equal(status.statusCode, 200, status.body);
    const body = JSON.parse(status.body);
    assert.equal(body.queue.due, 3, 'the orphan, and the image blobs that wait to be seen referenced');
    assert.equal(body.storage.repositories[0].name, 'gc/api');
    assert.ok(body.storage.totalBytes >= 1500);
    const described = await ecr(r.app, 'DescribeRepositories', { repositoryNames: ['gc/api'] });
    assert.equal((described.body.repositories as { storageSizeInBytes: number }[])[0]!.storageSizeInBytes, body.storage.repositories[0].bytes, 'DescribeRepositories shows the same storage use');

    const dry = JSON.parse((await r.app.inject({ method: 'POST', url: '/api/gc?dryRun=true', headers: auth })).body);
    assert.deepEqual([dry.dryRun, dry.deleted, dry.bytesFreed], [true, 1, 1000]);
    const run = JSON.parse((await r.app.inject({ method: 'POST', url: '/api/gc', headers: auth })).body);
    assert.deepEqual([run.dryRun, run.deleted, run.bytesFreed, run.kept], [false, 1, 1000, 2]);

    const metrics = (await r.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^berth_repository_storage_bytes\{repository="gc\/api"\} \d+$/m);
    assert.match(metrics, /^berth_gc_freed_bytes_total 1000$/m);
    assert.match(metrics, /^berth_gc_queued_blobs\{state="due"\} 0$/m);

    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/api/gc' })).statusCode, 401);
    await query(r.app, 'iam', 'CreateUser', { UserName: 'dev' });
    const userAuth = `Basic ${issueAuthorizationToken(r.controlPlane.identity.keyring, `arn:aws:iam::${TEST_ACCOUNT}:user/dev`, Date.now()).token}`;
    const refused = await r.anonymous.inject({ method: 'POST', url: '/api/gc', headers: { authorization: userAuth } });
    assert.equal(refused.statusCode, 403, refused.body);
    await query(r.app, 'iam', 'PutUserPolicy', {
      UserName: 'dev',
      PolicyName: 'gc',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'berth:DescribeGarbageCollection', Resource: '*' }] }),
    });
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/api/gc', headers: { authorization: userAuth } })).statusCode, 200);
    assert.equal((await r.anonymous.inject({ method: 'POST', url: '/api/gc', headers: { authorization: userAuth } })).statusCode, 403);
  });
});
