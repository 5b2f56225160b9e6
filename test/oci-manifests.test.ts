import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { content, image, index, OCI_INDEX, OCI_MANIFEST } from './helpers/images.js';
import { errorCode, pushBlob, pushImage, putManifest } from './helpers/oci-client.js';
import { startTestRegistry, type TestRegistry } from './helpers/test-registry.js';

describe('manifests', () => {
  let t: TestRegistry;
  before(async () => {
    t = await startTestRegistry();
  });
  after(() => t.close());

  test('PUT by tag answers 201 with the digest; GET and HEAD by tag and digest return it', async () => {
    const img = image().layers(2, 512).build();
    for (const layer of img.layers) await pushBlob(t.app, 'm/app', layer);
    await pushBlob(t.app, 'm/app', img.config);
    const put = await putManifest(t.app, 'm/app', 'v1', img.manifest, OCI_MANIFEST);
    assert.equal(put.statusCode, 201, put.body);
    assert.equal(put.headers['docker-content-digest'], img.manifest.digest);
    assert.match(String(put.headers.location), new RegExp(`/v2/m/app/manifests/${img.manifest.digest}$`));
    for (const ref of ['v1', img.manifest.digest]) {
      const get = await t.app.inject({ method: 'GET', url: `/v2/m/app/manifests/${ref}`, headers: { accept: OCI_MANIFEST } });
      assert.equal(get.statusCode, 200);
      assert.equal(get.headers['content-type'], OCI_MANIFEST);
      assert.equal(get.headers['docker-content-digest'], img.manifest.digest);
      assert.deepEqual(get.rawPayload, img.manifest.bytes);
      const head = await t.app.inject({ method: 'HEAD', url: `/v2/m/app/manifests/${ref}` });
      assert.equal(head.statusCode, 200);
      assert.equal(head.headers['content-length'], String(img.manifest.bytes.length));
      assert.equal(head.headers['docker-content-digest'], img.manifest.digest);
    }
  });

  test('a client that does not list the stored type still gets the manifest', async () => {
    const img = image().layers(1, 64).build();
    await pushImage(t.app, 'm/accept', 'v1', img);
    const get = await t.app.inject({ method: 'GET', url: '/v2/m/accept/manifests/v1', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['content-type'], OCI_MANIFEST);
  });

  test('Docker schema 2 manifests round trip with their media type', async () => {
    const img = image().docker().layers(1, 128).build();
    await pushImage(t.app, 'm/docker', 'latest', img);
    const get = await t.app.inject({ method: 'GET', url: '/v2/m/docker/manifests/latest' });
    assert.equal(get.headers['content-type'], 'application/vnd.docker.distribution.manifest.v2+json');
  });

  test('PUT by digest must match the body', async () => {
    const img = image().layers(1, 64).build();
    for (const layer of img.layers) await pushBlob(t.app, 'm/bydigest', layer);
    await pushBlob(t.app, 'm/bydigest', img.config);
    const other = content('x').digest;
    const wrong = await putManifest(t.app, 'm/bydigest', other, img.manifest, OCI_MANIFEST);
    assert.equal(wrong.statusCode, 400);
    assert.equal(errorCode(wrong), 'DIGEST_INVALID');
    const right = await putManifest(t.app, 'm/bydigest', img.manifest.digest, img.manifest, OCI_MANIFEST);
    assert.equal(right.statusCode, 201);
  });

  test('a manifest whose blobs are missing is MANIFEST_BLOB_UNKNOWN and is not stored', async () => {
    const img = image().layers(1, 64).build();
    await pushBlob(t.app, 'm/missing', img.config);
    const res = await putManifest(t.app, 'm/missing', 'v1', img.manifest, OCI_MANIFEST);
    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'MANIFEST_BLOB_UNKNOWN');
    assert.match(res.body, new RegExp(img.layers[0]!.digest));
    const get = await t.app.inject({ method: 'GET', url: `/v2/m/missing/manifests/${img.manifest.digest}` });
    assert.equal(get.statusCode, 404);
    assert.equal(errorCode(get), 'MANIFEST_UNKNOWN');
  });

  test('blobs pushed to another repository do not satisfy a manifest', async () => {
    const img = image().layers(1, 64).build();
    for (const layer of img.layers) await pushBlob(t.app, 'm/elsewhere', layer);
    await pushBlob(t.app, 'm/elsewhere', img.config);
    const res = await putManifest(t.app, 'm/here', 'v1', img.manifest, OCI_MANIFEST);
    assert.equal(errorCode(res), 'MANIFEST_BLOB_UNKNOWN');
  });

  test('an index needs its children first, then round trips', async () => {
    const amd = image().layers(1, 64).build();
    const arm = image().layers(1, 64).build();
    const idx = index([amd.manifest, arm.manifest]);
    await pushImage(t.app, 'm/multi', amd.manifest.digest, amd);
    const early = await putManifest(t.app, 'm/multi', 'v1', idx, OCI_INDEX);
    assert.equal(errorCode(early), 'MANIFEST_BLOB_UNKNOWN');
    await pushImage(t.app, 'm/multi', arm.manifest.digest, arm);
    const put = await putManifest(t.app, 'm/multi', 'v1', idx, OCI_INDEX);
    assert.equal(put.statusCode, 201, put.body);
    const get = await t.app.inject({ method: 'GET', url: '/v2/m/multi/manifests/v1' });
    assert.equal(get.headers['content-type'], OCI_INDEX);
    assert.equal(get.headers['docker-content-digest'], idx.digest);
    const childDelete = await t.app.inject({ method: 'DELETE', url: `/v2/m/multi/manifests/${amd.manifest.digest}` });
    assert.equal(childDelete.statusCode, 409, 'a child of an index cannot be deleted before the index');
  });

  test('schema 1, unknown media types, bad JSON and a Content-Type mismatch are MANIFEST_INVALID', async () => {
    const schema1 = await t.app.inject({ method: 'PUT', url: '/v2/m/invalid/manifests/v1', payload: JSON.stringify({ schemaVersion: 1, name: 'm/invalid', tag: 'v1', fsLayers: [] }), headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' } });
    assert.equal(schema1.statusCode, 400);
    assert.equal(errorCode(schema1), 'MANIFEST_INVALID');
    assert.match(schema1.body, /schema 1/);
    const unknownType = await t.app.inject({ method: 'PUT', url: '/v2/m/invalid/manifests/v1', payload: JSON.stringify({ schemaVersion: 2, mediaType: 'application/x-custom' }), headers: { 'content-type': 'application/x-custom' } });
    assert.equal(errorCode(unknownType), 'MANIFEST_INVALID');
    const badJson = await t.app.inject({ method: 'PUT', url: '/v2/m/invalid/manifests/v1', payload: '{not json', headers: { 'content-type': OCI_MANIFEST } });
    assert.equal(errorCode(badJson), 'MANIFEST_INVALID');
    const img = image().layers(1, 10).build();
    const mismatch = await putManifest(t.app, 'm/invalid', 'v1', img.manifest, OCI_INDEX);
    assert.equal(errorCode(mismatch), 'MANIFEST_INVALID');
    const badDescriptor = await t.app.inject({ method: 'PUT', url: '/v2/m/invalid/manifests/v1', payload: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: 'sha256:zz', size: 1 }, layers: [] }), headers: { 'content-type': OCI_MANIFEST } });
    assert.equal(errorCode(badDescriptor), 'MANIFEST_INVALID');
    assert.match(badDescriptor.body, /config\.digest/);
  });

  test('a manifest over 4 MiB is refused with 413', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const res = await t.app.inject({ method: 'PUT', url: '/v2/m/big/manifests/v1', payload: big, headers: { 'content-type': OCI_MANIFEST } });
    assert.equal(res.statusCode, 413);
    assert.equal(errorCode(res), 'MANIFEST_INVALID');
  });

  test('an invalid tag is TAG_INVALID', async () => {
    const img = image().layers(1, 10).build();
    const res = await putManifest(t.app, 'm/tags', '-bad', img.manifest, OCI_MANIFEST);
    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'TAG_INVALID');
  });

  test('moving a tag serves the new manifest; the old one stays reachable by digest', async () => {
    const one = image().layers(1, 32).build();
    const two = image().layers(1, 32).build();
    await pushImage(t.app, 'm/move', 'latest', one);
    await pushImage(t.app, 'm/move', 'latest', two);
    const get = await t.app.inject({ method: 'GET', url: '/v2/m/move/manifests/latest' });
    assert.equal(get.headers['docker-content-digest'], two.manifest.digest);
    assert.equal((await t.app.inject({ method: 'GET', url: `/v2/m/move/manifests/${one.manifest.digest}` })).statusCode, 200);
  });

  test('DELETE by tag removes the tag only; DELETE by digest removes the manifest and its tags', async () => {
    const img = image().layers(1, 32).build();
    await pushImage(t.app, 'm/del', 'a', img);
    assert.equal((await putManifest(t.app, 'm/del', 'b', img.manifest, OCI_MANIFEST)).statusCode, 201);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v2/m/del/manifests/a' })).statusCode, 202);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v2/m/del/manifests/a' })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v2/m/del/manifests/b' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v2/m/del/manifests/${img.manifest.digest}` })).statusCode, 202);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v2/m/del/manifests/b' })).statusCode, 404);
    const again = await t.app.inject({ method: 'DELETE', url: `/v2/m/del/manifests/${img.manifest.digest}` });
    assert.equal(errorCode(again), 'MANIFEST_UNKNOWN');
  });

  test('a blob that a manifest uses cannot be deleted before the manifest', async () => {
    const img = image().layers(1, 32).build();
    await pushImage(t.app, 'm/inuse', 'v1', img);
    const res = await t.app.inject({ method: 'DELETE', url: `/v2/m/inuse/blobs/${img.layers[0]!.digest}` });
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /delete the manifest first/);
  });
});

describe('referrers', () => {
  let t: TestRegistry;
  before(async () => {
    t = await startTestRegistry();
  });
  after(() => t.close());

  test('an artifact may be pushed before its subject, answers OCI-Subject, and is listed with the filter', async () => {
    const subject = image().layers(1, 64).build();
    const sbom = image().layers(1, 32).artifactOf(subject.manifest, 'application/vnd.example.sbom', { 'org.example.kind': 'sbom' }).build();
    const sig = image().layers(1, 32).artifactOf(subject.manifest, 'application/vnd.example.signature').build();
    for (const artifact of [sbom, sig]) {
      for (const layer of artifact.layers) await pushBlob(t.app, 'r/app', layer);
      await pushBlob(t.app, 'r/app', artifact.config);
      const put = await putManifest(t.app, 'r/app', artifact.manifest.digest, artifact.manifest, OCI_MANIFEST);
      assert.equal(put.statusCode, 201, put.body);
      assert.equal(put.headers['oci-subject'], subject.manifest.digest);
    }
    await pushImage(t.app, 'r/app', 'v1', subject);

    const all = await t.app.inject({ method: 'GET', url: `/v2/r/app/referrers/${subject.manifest.digest}` });
    assert.equal(all.statusCode, 200);
    assert.equal(all.headers['content-type'], OCI_INDEX);
    const listed = JSON.parse(all.body) as { manifests: { digest: string; artifactType: string; annotations?: Record<string, string> }[] };
    assert.deepEqual(listed.manifests.map((m) => m.digest).sort(), [sbom.manifest.digest, sig.manifest.digest].sort());
    assert.equal(listed.manifests.find((m) => m.digest === sbom.manifest.digest)?.annotations?.['org.example.kind'], 'sbom');

    const filtered = await t.app.inject({ method: 'GET', url: `/v2/r/app/referrers/${subject.manifest.digest}?artifactType=application/vnd.example.signature` });
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    const only = JSON.parse(filtered.body) as { manifests: { digest: string; artifactType: string }[] };
    assert.deepEqual(only.manifests.map((m) => m.digest), [sig.manifest.digest]);
    assert.equal(only.manifests[0]!.artifactType, 'application/vnd.example.signature');

    const head = await t.app.inject({ method: 'HEAD', url: `/v2/r/app/manifests/${sbom.manifest.digest}` });
    assert.equal(head.headers['oci-subject'], subject.manifest.digest);
  });

  test('an unknown subject has an empty list; a malformed digest is DIGEST_INVALID', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v2/r/app/referrers/${content('nothing').digest}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.body).manifests, []);
    const bad = await t.app.inject({ method: 'GET', url: '/v2/r/app/referrers/sha256:1' });
    assert.equal(errorCode(bad), 'DIGEST_INVALID');
  });
});
