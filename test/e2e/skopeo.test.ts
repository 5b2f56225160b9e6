// skopeo against the built server: push an OCI layout, inspect, list tags, pull back byte for byte, copy into
// a second repository (cross-repository mount), delete by digest.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startBerth, type Berth } from './helpers/berth.js';
import { layoutRef, makeImage, readLayoutBlob, sha256, writeLayout, type Image } from './helpers/oci-layout.js';
import { describeRun } from './helpers/process.js';
import { makeSkopeo, type Skopeo } from './helpers/skopeo.js';

let berth: Berth;
let skopeo: Skopeo;
let work: string;
let image: Image;
let source: string;

before(async () => {
  berth = await startBerth();
  skopeo = await makeSkopeo(() => berth.logTail());
  await skopeo.login(berth.host, await berth.loginPassword());
  work = await mkdtemp(path.join(tmpdir(), 'berth-e2e-skopeo-work-'));
  image = makeImage({ layerBytes: 6 * 1024 * 1024 });
  source = path.join(work, 'source');
  await writeLayout(source, 'latest', image);
});

after(async () => {
  await berth?.stop();
  await skopeo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const ref = (repoAndTag: string): string => `docker://${berth.host}/${repoAndTag}`;

interface Inspect {
  Digest: string;
  RepoTags: string[];
  Architecture: string;
  Os: string;
  Layers: string[];
}

async function inspect(reference: string): Promise<Inspect> {
  const result = await skopeo.ok(['inspect', '--tls-verify=false', reference]);
  return JSON.parse(result.stdout) as Inspect;
}

async function listTags(repo: string): Promise<string[]> {
  const result = await skopeo.ok(['list-tags', '--tls-verify=false', ref(repo)]);
  const parsed = JSON.parse(result.stdout) as { Repository: string; Tags: string[] };
  assert.equal(parsed.Repository, `${berth.host}/${repo}`);
  return [...parsed.Tags].sort();
}

test('skopeo pushes an OCI layout and inspect reports the pushed manifest digest', { timeout: 300_000 }, async () => {
  const copy = await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${source}:latest`, ref('ns/app:v1')]);
  assert.match(copy.stderr + copy.stdout, /Writing manifest to image destination/);

  const info = await inspect(ref('ns/app:v1'));
  assert.equal(info.Digest, image.manifest.digest, 'skopeo inspect shows the digest of the manifest bytes we pushed');
  assert.deepEqual(info.Layers, [image.layers[0]!.digest]);
  assert.equal(info.Architecture, 'amd64');
  assert.equal(info.Os, 'linux');
  assert.ok(info.RepoTags.includes('v1'), `RepoTags ${JSON.stringify(info.RepoTags)} lists v1`);

  // The raw manifest comes back byte for byte.
  const raw = await skopeo.ok(['inspect', '--raw', '--tls-verify=false', ref('ns/app:v1')]);
  assert.equal(sha256(Buffer.from(raw.stdout)), image.manifest.digest);
  // By digest too.
  assert.equal((await inspect(ref(`ns/app@${image.manifest.digest}`))).Digest, image.manifest.digest);
});

test('skopeo list-tags lists every tag pushed to the repository', { timeout: 300_000 }, async () => {
  await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${source}:latest`, ref('ns/app:v2')]);
  await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${source}:latest`, ref('ns/app:stable')]);
  assert.deepEqual(await listTags('ns/app'), ['stable', 'v1', 'v2']);
});

test('skopeo copies the image back into an OCI layout with identical bytes', { timeout: 300_000 }, async () => {
  const out = path.join(work, 'pulled');
  await skopeo.ok(['copy', '--src-tls-verify=false', ref('ns/app:v1'), `oci:${out}:pulled`]);
  const pulled = await layoutRef(out, 'pulled');
  assert.equal(pulled.digest, image.manifest.digest, 'the pulled manifest has the pushed digest');
  const layer = image.layers[0]!;
  const bytes = await readLayoutBlob(out, layer.digest);
  assert.equal(bytes.length, layer.size);
  assert.ok(bytes.equals(layer.bytes), 'the pulled layer bytes are identical to the pushed ones');
  assert.ok((await readLayoutBlob(out, image.config.digest)).equals(image.config.bytes), 'the config bytes are identical');
  assert.ok((await readLayoutBlob(out, image.manifest.digest)).equals(image.manifest.bytes), 'the manifest bytes are identical');
});

test('skopeo copies the image into a second repository, reusing the blobs the registry already has', { timeout: 300_000 }, async () => {
  // Registry to registry: skopeo has seen the layer in ns/app on this registry, so it asks to mount it
  // (POST …/uploads/?from=ns%2Fapp&mount=…) instead of sending the bytes again.
  const copy = await skopeo.ok(['--debug', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false', ref('ns/app:v1'), ref('team/other:v1')]);
  const log = copy.stderr;
  const layerHex = image.layers[0]!.digest.slice('sha256:'.length);
  assert.match(log, new RegExp(`Trying to mount /v2/team/other/blobs/uploads/\\?from=ns%2Fapp&mount=sha256%3A${layerHex}`), `skopeo tried a cross-repository mount:\n${log}`);
  assert.match(log, /\.\.\. mount OK/, `the registry accepted the mount:\n${log}\n--- registry log ---\n${berth.logTail()}`);
  assert.doesNotMatch(log, new RegExp(`PUT \\S+digest=sha256%3A${layerHex}`), 'the mounted layer was not uploaded again');
  const info = await inspect(ref('team/other:v1'));
  assert.equal(info.Digest, image.manifest.digest);
  assert.deepEqual(await listTags('team/other'), ['v1']);

  const out = path.join(work, 'pulled-other');
  await skopeo.ok(['copy', '--src-tls-verify=false', ref('team/other:v1'), `oci:${out}:x`]);
  assert.ok((await readLayoutBlob(out, image.layers[0]!.digest)).equals(image.layers[0]!.bytes), 'the mounted layer pulls back identical');
});

test('skopeo delete by digest removes the image; inspect then fails; the other repository keeps its copy', { timeout: 300_000 }, async () => {
  await skopeo.ok(['delete', '--tls-verify=false', ref(`ns/app@${image.manifest.digest}`)]);

  const byDigest = await skopeo.run(['inspect', '--tls-verify=false', ref(`ns/app@${image.manifest.digest}`)]);
  assert.notEqual(byDigest.code, 0, `inspect by digest after delete must fail: ${describeRun(byDigest)}`);
  assert.match(byDigest.stderr, /manifest unknown/i, describeRun(byDigest));

  const byTag = await skopeo.run(['inspect', '--tls-verify=false', ref('ns/app:v1')]);
  assert.notEqual(byTag.code, 0, `the tags of a deleted manifest go with it: ${describeRun(byTag)}`);
  assert.deepEqual(await listTags('ns/app'), [], 'no tags are left in ns/app');

  // The copy in team/other shares the blobs; it is untouched.
  const info = await inspect(ref('team/other:v1'));
  assert.equal(info.Digest, image.manifest.digest);
  const out = path.join(work, 'pulled-after-delete');
  await skopeo.ok(['copy', '--src-tls-verify=false', ref('team/other:v1'), `oci:${out}:x`]);
  assert.ok((await readLayoutBlob(out, image.layers[0]!.digest)).equals(image.layers[0]!.bytes));
});
