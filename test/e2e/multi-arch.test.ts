// A multi-platform image (an OCI image index over amd64 and arm64) round trip with `skopeo copy --all`.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startBerth, type Berth } from './helpers/berth.js';
import { layoutRef, makeIndex, OCI_INDEX, readLayoutBlob, sha256, writeLayout, type ImageIndex } from './helpers/oci-layout.js';
import { makeSkopeo, type Skopeo } from './helpers/skopeo.js';

let berth: Berth;
let skopeo: Skopeo;
let work: string;
let multi: ImageIndex;
let source: string;

before(async () => {
  berth = await startBerth();
  skopeo = await makeSkopeo(() => berth.logTail());
  await skopeo.login(berth.host, await berth.loginPassword());
  work = await mkdtemp(path.join(tmpdir(), 'berth-e2e-multi-'));
  multi = makeIndex([{ architecture: 'amd64' }, { architecture: 'arm64' }], 2 * 1024 * 1024);
  source = path.join(work, 'source');
  await writeLayout(source, 'multi', multi);
});

after(async () => {
  await berth?.stop();
  await skopeo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const remote = (): string => `docker://${berth.host}/ns/multi:v1`;

test('skopeo copy --all pushes an image index with both platforms, digest unchanged', { timeout: 300_000 }, async () => {
  await skopeo.ok(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${source}:multi`, remote()]);

  const raw = await skopeo.ok(['inspect', '--raw', '--tls-verify=false', remote()]);
  const bytes = Buffer.from(raw.stdout);
  assert.equal(sha256(bytes), multi.index.digest, 'the registry serves the index with the digest we pushed');
  const served = JSON.parse(raw.stdout) as { mediaType: string; manifests: { digest: string; platform: { architecture: string } }[] };
  assert.equal(served.mediaType, OCI_INDEX);
  assert.deepEqual(
    served.manifests.map((m) => [m.platform.architecture, m.digest]),
    multi.images.map((img) => [img.descriptor.platform!.architecture, img.manifest.digest]),
  );

  // Each platform resolves to its own image (skopeo's Digest names what the tag points at: the index).
  for (const [i, arch] of ['amd64', 'arm64'].entries()) {
    const img = multi.images[i]!;
    const result = await skopeo.ok(['--override-arch', arch, '--override-os', 'linux', 'inspect', '--tls-verify=false', remote()]);
    const info = JSON.parse(result.stdout) as { Digest: string; Architecture: string; Layers: string[] };
    assert.equal(info.Digest, multi.index.digest);
    assert.equal(info.Architecture, arch);
    assert.deepEqual(info.Layers, [img.layers[0]!.digest], `${arch} resolves to its own layer`);
    const child = await skopeo.ok(['inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/ns/multi@${img.manifest.digest}`]);
    assert.ok(Buffer.from(child.stdout).equals(img.manifest.bytes), `the ${arch} manifest is served byte for byte`);
  }
  // The index itself is reachable by its digest.
  const byDigest = await skopeo.ok(['inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/ns/multi@${multi.index.digest}`]);
  assert.equal(sha256(Buffer.from(byDigest.stdout)), multi.index.digest);
});

test('skopeo copy --all pulls the index back with the same digest and identical blobs', { timeout: 300_000 }, async () => {
  const out = path.join(work, 'pulled');
  await skopeo.ok(['copy', '--all', '--preserve-digests', '--src-tls-verify=false', remote(), `oci:${out}:back`]);
  const top = await layoutRef(out, 'back');
  assert.equal(top.digest, multi.index.digest, 'the pulled index has the digest of the pushed one');
  assert.equal(top.mediaType, OCI_INDEX);
  assert.ok((await readLayoutBlob(out, multi.index.digest)).equals(multi.index.bytes), 'index bytes identical');
  for (const img of multi.images) {
    for (const b of [img.manifest, img.config, ...img.layers]) {
      assert.ok((await readLayoutBlob(out, b.digest)).equals(b.bytes), `${img.descriptor.platform!.architecture} blob ${b.digest} identical`);
    }
  }
});
