// Scan on push with real processes: `berth vulndb import` loads the fixture's OSV records into the running
// server's database, skopeo pushes the fixture image, and both AWS CLIs read exactly the expected
// findings back with `aws ecr describe-image-scan-findings` (after `aws ecr wait image-scan-complete`).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXPECTED_FINDINGS, SCAN_FIXTURE, scanFixtureImage } from '../helpers/scan-fixture.js';
import { aws, awsClis, awsJson } from './helpers/aws.js';
import { startBerth, type Berth } from './helpers/berth.js';
import { writeLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/process.js';
import { makeSkopeo, type Skopeo } from './helpers/skopeo.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'berth.js');
let berth: Berth;
let skopeo: Skopeo;
let work: string;
let layerDigests: string[];

before(async () => {
  berth = await startBerth();
  skopeo = await makeSkopeo(() => berth.logTail());
  await skopeo.login(berth.host, await berth.loginPassword());
  work = await mkdtemp(path.join(tmpdir(), 'berth-e2e-scan-'));
  const built = await scanFixtureImage();
  layerDigests = built.layers.map((l) => l.digest);
  const blob = (b: { digest: string; bytes: Buffer }) => ({ digest: b.digest, size: b.bytes.length, bytes: b.bytes });
  await writeLayout(path.join(work, 'fixture'), 'v1', {
    payload: Buffer.alloc(0),
    layers: built.layers.map(blob),
    config: blob(built.config),
    manifest: blob(built.manifest),
    descriptor: { mediaType: built.mediaType, digest: built.manifest.digest, size: built.manifest.bytes.length },
  });
});

after(async () => {
  await berth?.stop();
  await skopeo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

test('berth vulndb import, a skopeo push to a scan-on-push repository, and the findings through both AWS CLIs', async () => {
  const imported = await run(process.execPath, [bin, 'vulndb', 'import', path.join(SCAN_FIXTURE, 'osv'), '--data-dir', berth.dataDir], { timeoutMs: 60_000 });
  assert.equal(imported.code, 0, describeRun(imported));
  assert.match(imported.stdout, /imported: 15 records: 15 added/);

  const cli = awsClis()[0]!;
  await awsJson(cli, berth.url, ['ecr', 'create-repository', '--repository-name', 'scan/e2e', '--image-scanning-configuration', 'scanOnPush=true']);
  await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${path.join(work, 'fixture')}:v1`, `docker://${berth.host}/scan/e2e:v1`]);

  for (const client of awsClis()) {
    const waited = await aws(client, berth.url, ['ecr', 'wait', 'image-scan-complete', '--repository-name', 'scan/e2e', '--image-id', 'imageTag=v1']);
    assert.equal(waited.code, 0, `${describeRun(waited)}\n${berth.logTail()}`);
    const result = await awsJson<{
      imageScanStatus: { status: string };
      imageScanFindings: { findings: { name: string; severity: string; attributes: { key: string; value: string }[] }[]; findingSeverityCounts: Record<string, number> };
    }>(client, berth.url, ['ecr', 'describe-image-scan-findings', '--repository-name', 'scan/e2e', '--image-id', 'imageTag=v1']);
    assert.equal(result.imageScanStatus.status, 'COMPLETE');
    const attr = (f: { attributes: { key: string; value: string }[] }, key: string) => f.attributes.find((a) => a.key === key)?.value;
    const got = result.imageScanFindings.findings.map((f) => [f.name, attr(f, 'package_name'), attr(f, 'package_version'), attr(f, 'fixed_in_version'), layerDigests.indexOf(attr(f, 'layer_digest') ?? '')]);
    const sort = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
    assert.deepEqual(sort(got), sort(EXPECTED_FINDINGS), client.name);
    assert.equal(Object.values(result.imageScanFindings.findingSeverityCounts).reduce((a, b) => a + b, 0), 14);
  }
});
