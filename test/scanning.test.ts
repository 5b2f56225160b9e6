import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { backgroundContext } from '../src/core/context.js';
import { parseDigest } from '../src/core/digest.js';
import { rematchForNewData } from '../src/scanning/scan.service.js';
import { importOsv } from '../src/scanning/vulndb/import-osv.js';
import { contentKey } from '../src/storage/keys.js';
import { ecr } from './helpers/ecr-client.js';
import { pushBlob, putManifest } from './helpers/oci-client.js';
import { EXPECTED_FINDINGS, SCAN_FIXTURE, scanFixtureImage } from './helpers/scan-fixture.js';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { content, image } from './helpers/images.js';
import { startTestRegistry, type TestRegistry } from './helpers/test-registry.js';

type Attribute = { key: string; value: string };
type BasicFinding = { name: string; severity: string; uri: string; attributes: Attribute[] };

async function pushFixture(r: TestRegistry, repository: string, tag: string) {
  const built = await scanFixtureImage();
  for (const blob of [...built.layers, built.config]) await pushBlob(r.app, repository, blob);
  const res = await putManifest(r.app, repository, tag, built.manifest, built.mediaType);
  assert.equal(res.statusCode, 201, res.body);
  return built;
}

async function allFindings(r: TestRegistry, repository: string, tag: string): Promise<{ findings: BasicFinding[]; counts: Record<string, number>; status: string }> {
  const findings: BasicFinding[] = [];
  let nextToken: string | undefined;
  let counts: Record<string, number> = {};
  let status = '';
  do {
    const res = await ecr(r.app, 'DescribeImageScanFindings', { repositoryName: repository, imageId: { imageTag: tag }, maxResults: 5, ...(nextToken ? { nextToken } : {}) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    status = (res.body.imageScanStatus as { status: string }).status;
    const page = res.body.imageScanFindings as { findings?: BasicFinding[]; findingSeverityCounts: Record<string, number> } | undefined;
    findings.push(...(page?.findings ?? []));
    counts = page?.findingSeverityCounts ?? counts;
    nextToken = res.body.nextToken as string | undefined;
  } while (nextToken);
  return { findings, counts, status };
}

const attr = (f: BasicFinding, key: string) => f.attributes.find((a) => a.key === key)?.value;

describe('scan on push', () => {
  test('the fixture image yields exactly the 14 expected findings, through DescribeImageScanFindings', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const imported = await importOsv(r.registry.metadata, path.join(SCAN_FIXTURE, 'osv'));
    assert.equal(imported.records, 15);
    await ecr(r.app, 'CreateRepository', { repositoryName: 'scan/fixture', imageScanningConfiguration: { scanOnPush: true } });
    const built = await pushFixture(r, 'scan/fixture', 'v1');

    const before = await ecr(r.app, 'DescribeImageScanFindings', { repositoryName: 'scan/fixture', imageId: { imageTag: 'v1' } });
    assert.equal((before.body.imageScanStatus as { status: string }).status, 'IN_PROGRESS', 'the push did not wait for the scan');
    assert.equal(await r.runJobs(), 1, 'the scan the push queued (its event was delivered at once)');

    const { findings, counts, status } = await allFindings(r, 'scan/fixture', 'v1');
    assert.equal(status, 'COMPLETE');
    const got = findings.map((f) => [f.name, attr(f, 'package_name'), attr(f, 'package_version'), attr(f, 'fixed_in_version'), built.layers.findIndex((l) => l.digest === attr(f, 'layer_digest'))]);
    const sort = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
    assert.deepEqual(sort(got), sort(EXPECTED_FINDINGS));
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 14);
    for (const f of findings) {
      assert.ok(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'].includes(f.severity));
      assert.ok(attr(f, 'file_path'), `${f.name} names its file`);
    }
    const semver = findings.find((f) => attr(f, 'package_name') === 'semver')!;
    assert.equal(semver.severity, 'MEDIUM', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L is 5.3');
    assert.equal(attr(semver, 'advisory_id'), 'GHSA-c2qf-rxjj-qqgw');
    assert.equal(attr(semver, 'file_path'), 'app/node_modules/semver/package.json');

    const described = await ecr(r.app, 'DescribeImages', { repositoryName: 'scan/fixture' });
    const detail = (described.body.imageDetails as { imageScanStatus: { status: string }; imageScanFindingsSummary: { findingSeverityCounts: Record<string, number> } }[])[0]!;
    assert.equal(detail.imageScanStatus.status, 'COMPLETE');
    assert.deepEqual(detail.imageScanFindingsSummary.findingSeverityCounts, counts);
  });

  test('the SBOM of a scanned image: CycloneDX 1.6 from the API, and attached as a referrer', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'scan/sbom', imageScanningConfiguration: { scanOnPush: true } });
    const built = await pushFixture(r, 'scan/sbom', 'v1');
    const early = await r.app.inject({ method: 'GET', url: '/api/sbom?repository=scan/sbom&reference=v1', headers: { authorization: r.rootAuthorization } });
    assert.equal(early.statusCode, 404, 'no complete scan yet');
    await r.runJobs();
    const res = await r.app.inject({ method: 'GET', url: '/api/sbom?repository=scan/sbom&reference=v1', headers: { authorization: r.rootAuthorization } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/vnd.cyclonedx+json');
    const sbom = JSON.parse(res.body) as { bomFormat: string; specVersion: string; components: { name: string; version?: string; purl?: string; type: string }[] };
    assert.deepEqual([sbom.bomFormat, sbom.specVersion], ['CycloneDX', '1.6']);
    assert.equal(sbom.components.filter((c) => c.type === 'library').length, 18, '16 dpkg packages, semver and requests');
    assert.equal(sbom.components.find((c) => c.name === 'libnss3')?.purl, 'pkg:deb/debian/libnss3@2%3A3.87.1-1%2Bdeb12u2?distro=debian-12');
    assert.equal(sbom.components.find((c) => c.name === 'semver')?.purl, 'pkg:npm/semver@7.5.1');
    assert.equal(sbom.components.find((c) => c.type === 'operating-system')?.name, 'debian');
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/api/sbom?repository=scan/sbom&reference=v1' })).statusCode, 401);

    const attached = await r.app.inject({ method: 'POST', url: '/api/sbom?repository=scan/sbom&reference=v1', headers: { authorization: r.rootAuthorization } });
    assert.equal(attached.statusCode, 200, attached.body);
    const { subject, referrer } = JSON.parse(attached.body) as { subject: string; referrer: string };
    assert.equal(subject, built.manifest.digest);
    const referrers = await r.app.inject({ method: 'GET', url: `/v2/scan/sbom/referrers/${subject}?artifactType=application/vnd.cyclonedx%2Bjson` });
    const listed = (JSON.parse(referrers.body) as { manifests: { digest: string; artifactType: string }[] }).manifests;
    assert.deepEqual(listed.map((m) => [m.digest, m.artifactType]), [[referrer, 'application/vnd.cyclonedx+json']]);
  });

  test('continuous scanning: new vulnerability data re-matches stored inventories without reading a layer', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await importOsv(r.registry.metadata, path.join(SCAN_FIXTURE, 'osv'));
    await ecr(r.app, 'PutRegistryScanningConfiguration', { scanType: 'ENHANCED', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'prod/*', filterType: 'WILDCARD' }] }] });
    const built = await pushFixture(r, 'prod/web', 'v1');
    await r.runJobs();
    const count = async () => ((await ecr(r.app, 'DescribeImageScanFindings', { repositoryName: 'prod/web', imageId: { imageTag: 'v1' }, maxResults: 100 })).body.imageScanFindings as { enhancedFindings: unknown[] }).enhancedFindings.length;
    assert.equal(await count(), 14);
    // The layers' bytes are gone: a re-match that read them would fail.
    for (const layer of built.layers) await r.storage.delete(backgroundContext(), contentKey(parseDigest(layer.digest)));
    const dir = await mkdtemp(path.join(tmpdir(), 'berth-osv-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'DEBIAN-CVE-2099-1111.json'), JSON.stringify({
      id: 'DEBIAN-CVE-2099-1111',
      modified: '2099-01-01T00:00:00Z',
      upstream: ['CVE-2099-1111'],
      affected: [{ package: { ecosystem: 'Debian:12', name: 'libcap2' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:9.99-1' }] }] }],
    }));
    assert.equal(await rematchForNewData(r.registry), 0, 'nothing changed yet');
    await importOsv(r.registry.metadata, dir);
    assert.equal(await rematchForNewData(r.registry), 1);
    assert.equal(await count(), 15);
    assert.equal(await rematchForNewData(r.registry), 0, 'done until the data changes again');
  });

  test('StartImageScan scans on demand; a repository without scan on push is not scanned; an artifact is UNSUPPORTED_IMAGE', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await importOsv(r.registry.metadata, path.join(SCAN_FIXTURE, 'osv'));
    await pushFixture(r, 'scan/manual', 'v1');
    assert.equal(await r.runJobs(), 0, 'no scan on push (and the push event was delivered at once)');
    const none = await ecr(r.app, 'DescribeImageScanFindings', { repositoryName: 'scan/manual', imageId: { imageTag: 'v1' } });
    assert.equal(none.error, 'ScanNotFoundException');
    const started = await ecr(r.app, 'StartImageScan', { repositoryName: 'scan/manual', imageId: { imageTag: 'v1' } });
    assert.equal((started.body.imageScanStatus as { status: string }).status, 'IN_PROGRESS');
    await r.runJobs();
    assert.equal((await allFindings(r, 'scan/manual', 'v1')).findings.length, 14);

    const subject = image().layers(1, 10).build();
    const artifact = image().artifactOf(subject.manifest, 'application/vnd.example.sbom').build();
    for (const blob of [...artifact.layers, artifact.config]) await pushBlob(r.app, 'scan/manual', blob);
    await putManifest(r.app, 'scan/manual', 'sbom', artifact.manifest, artifact.mediaType);
    await ecr(r.app, 'StartImageScan', { repositoryName: 'scan/manual', imageId: { imageTag: 'sbom' } });
    await r.runJobs();
    assert.equal((await allFindings(r, 'scan/manual', 'sbom')).status, 'UNSUPPORTED_IMAGE');
    assert.equal((await ecr(r.app, 'StartImageScan', { repositoryName: 'scan/manual', imageId: { imageTag: 'nope' } })).error, 'ImageNotFoundException');
  });

  test('a gzip bomb layer makes the scan FAILED with the reason, and a corrupt layer too; the registry goes on', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await ecr(r.app, 'CreateRepository', { repositoryName: 'scan/bombs', imageScanningConfiguration: { scanOnPush: true } });
    // 128 MiB of zeros as one tar entry, gzip-compressed to about 128 KiB: over the test limit of 64 MiB.
    const pack = tar.pack();
    const parts: Buffer[] = [];
    pack.on('data', (chunk: unknown) => void parts.push(chunk as Buffer));
    const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
    const zeros = pack.entry({ name: 'zeros', size: 128 * 1024 * 1024, mtime: new Date(0) });
    for (let i = 0; i < 128; i++) zeros.write(Buffer.alloc(1024 * 1024));
    zeros.end(() => {});
    pack.finalize();
    await ended;
    const bomb = content(gzipSync(Buffer.concat(parts)));
    const corrupt = content(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(100, 7)]));
    for (const [tag, layer] of [['bomb', bomb], ['corrupt', corrupt]] as const) {
      const built = image().layers(0, 0).build();
      const config = content(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, tag }));
      const manifest = content(JSON.stringify({
        schemaVersion: 2,
        mediaType: built.mediaType,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.bytes.length }],
      }));
      for (const blob of [layer, config]) await pushBlob(r.app, 'scan/bombs', blob);
      assert.equal((await putManifest(r.app, 'scan/bombs', tag, manifest, built.mediaType)).statusCode, 201);
    }
    assert.equal(await r.runJobs(), 2, 'two scans, one per push');
    for (const [tag, reason] of [['bomb', /limit|bytes/i], ['corrupt', /./]] as const) {
      const res = await ecr(r.app, 'DescribeImageScanFindings', { repositoryName: 'scan/bombs', imageId: { imageTag: tag } });
      const status = res.body.imageScanStatus as { status: string; description: string };
      assert.equal(status.status, 'FAILED', tag);
      assert.match(status.description, reason);
    }
    assert.equal((await r.app.inject({ method: 'GET', url: '/v2/' })).statusCode, 200);
  });

  test('registry scanning configuration: rules with filters, BatchGetRepositoryScanningConfiguration, enhanced findings', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    await importOsv(r.registry.metadata, path.join(SCAN_FIXTURE, 'osv'));
    assert.deepEqual((await ecr(r.app, 'GetRegistryScanningConfiguration')).body.scanningConfiguration, { scanType: 'BASIC', rules: [] });
    const put = await ecr(r.app, 'PutRegistryScanningConfiguration', {
      scanType: 'ENHANCED',
      rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'prod/*', filterType: 'WILDCARD' }] }],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await ecr(r.app, 'CreateRepository', { repositoryName: 'prod/api' });
    await ecr(r.app, 'CreateRepository', { repositoryName: 'dev/api' });
    const batch = await ecr(r.app, 'BatchGetRepositoryScanningConfiguration', { repositoryNames: ['prod/api', 'dev/api', 'no/such'] });
    const configs = batch.body.scanningConfigurations as { repositoryName: string; scanFrequency: string; scanOnPush: boolean }[];
    assert.deepEqual(configs.map((c) => [c.repositoryName, c.scanFrequency, c.scanOnPush]), [['prod/api', 'CONTINUOUS_SCAN', true], ['dev/api', 'MANUAL', false]]);
    assert.equal((batch.body.failures as { failureCode: string }[])[0]!.failureCode, 'REPOSITORY_NOT_FOUND');

    await pushFixture(r, 'prod/api', 'v1');
    assert.equal(await r.runJobs(), 1, 'continuous scanning scans on push too');
    const res = await ecr(r.app, 'DescribeImageScanFindings', { repositoryName: 'prod/api', imageId: { imageTag: 'v1' }, maxResults: 100 });
    const enhanced = (res.body.imageScanFindings as { enhancedFindings: { type: string; packageVulnerabilityDetails: { vulnerabilityId: string; vulnerablePackages: { name: string; fixedInVersion?: string }[] } }[] }).enhancedFindings;
    assert.equal(enhanced.length, 14);
    assert.ok(enhanced.every((f) => f.type === 'PACKAGE_VULNERABILITY'));
    const jq = enhanced.find((f) => f.packageVulnerabilityDetails.vulnerablePackages[0]!.name === 'jq')!;
    assert.equal(jq.packageVulnerabilityDetails.vulnerabilityId, 'CVE-2026-32316');
    assert.equal(jq.packageVulnerabilityDetails.vulnerablePackages[0]!.fixedInVersion, '1.6-2.1+deb12u2');
    const bad = await ecr(r.app, 'PutRegistryScanningConfiguration', { scanType: 'BASIC', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }] });
    assert.equal(bad.error, 'InvalidParameterException');
  });
});
