// The scan fixture image of ../shared/fixtures/scan/README.md, built from its data: three layers (gzip,
// gzip, zstd) with mtime 0, so their digests are the same on every run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { content, type BuiltImage, type Content } from './images.js';

export const SCAN_FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures', 'scan');
const fixture = (name: string) => readFileSync(path.join(SCAN_FIXTURE, 'debian12', name));

type Entry = { name: string; body?: Buffer | string; symlink?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const parts: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk: unknown) => void parts.push(chunk as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const entry of entries) {
    if (entry.symlink !== undefined) pack.entry({ name: entry.name, type: 'symlink', linkname: entry.symlink, mtime: new Date(0) });
    else pack.entry({ name: entry.name, mtime: new Date(0), mode: 0o644 }, Buffer.from(entry.body ?? ''));
  }
  pack.finalize();
  await done;
  return Buffer.concat(parts);
}

function zstd(bytes: Buffer): Buffer {
  const result = spawnSync('zstd', ['-q', '-c', '-19', '--no-progress'], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`zstd failed (install Debian's zstd): ${result.stderr?.toString() ?? result.error}`);
  return result.stdout;
}

const pkgInfo = (name: string, version: string) => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: fixture\n`;
const EGG = 'usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info';

/** The fixture image, ready to push: layers (compressed as their media types say), config and manifest. */
export async function scanFixtureImage(): Promise<BuiltImage & { layerMediaTypes: string[] }> {
  const layer1 = await tarOf([
    { name: 'usr/lib/os-release', body: fixture('os-release') },
    { name: 'etc/os-release', symlink: '../usr/lib/os-release' },
    { name: 'var/lib/dpkg/status', body: fixture('status.base') },
  ]);
  const layer2 = await tarOf([
    { name: 'var/lib/dpkg/status', body: fixture('status.layer2') },
    { name: 'var/lib/dpkg/info/python3-jwt.list', body: `/${EGG}\n/${EGG}/PKG-INFO\n` },
    { name: `${EGG}/PKG-INFO`, body: pkgInfo('PyJWT', '2.6.0') },
    { name: 'app/node_modules/lodash/package.json', body: JSON.stringify({ name: 'lodash', version: '4.17.20' }) },
    { name: 'app/package.json', body: JSON.stringify({ name: 'demo-app', version: '1.0.0', dependencies: { semver: '^7.5.0' } }) },
  ]);
  const layer3 = await tarOf([
    { name: 'app/node_modules/.wh.lodash', body: '' },
    { name: 'app/node_modules/semver/package.json', body: JSON.stringify({ name: 'semver', version: '7.5.1' }) },
    { name: 'usr/local/lib/python3.11/site-packages/requests-2.28.1.dist-info/METADATA', body: pkgInfo('requests', '2.28.1') },
  ]);
  const layers: Content[] = [content(gzipSync(layer1)), content(gzipSync(layer2)), content(zstd(layer3))];
  const layerMediaTypes = ['application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip', 'application/vnd.oci.image.layer.v1.tar+zstd'];
  const config = content(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer1, layer2, layer3].map((bytes) => content(bytes).digest) },
      config: { Cmd: ['/bin/sh'] },
    }),
  );
  const manifest = content(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
      layers: layers.map((layer, i) => ({ mediaType: layerMediaTypes[i], digest: layer.digest, size: layer.bytes.length })),
    }),
  );
  return { layers, config, manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json', layerMediaTypes };
}

/** The 14 findings the README lists: [finding name, package, installed version, fixed in, layer index]. */
export const EXPECTED_FINDINGS: [string, string, string, string, number][] = [
  ['CVE-2026-32316', 'jq', '1.6-2.1+deb12u1', '1.6-2.1+deb12u2', 1],
  ['CVE-2026-32316', 'libjq1', '1.6-2.1+deb12u1', '1.6-2.1+deb12u2', 1],
  ['CVE-2025-15661', 'libssh2-1', '1.10.0-3+b1', '1.10.0-3+deb12u1', 0],
  ['CVE-2026-111497', 'libbrotli1', '1.0.9-2+b6', '1.0.9-2+deb12u1', 0],
  ['CVE-2026-6766', 'libnss3', '2:3.87.1-1+deb12u2', '2:3.87.1-1+deb12u3', 0],
  ['CVE-2026-96889', 'librsvg2-2', '2.54.7+dfsg-1~deb12u1', '2.54.7+dfsg-1~deb12u2', 0],
  ['CVE-2026-34743', 'liblzma5', '5.4.1-1', '5.4.1-1+deb12u1', 0],
  ['CVE-2025-6020', 'libpam0g', '1.5.2-6+deb12u1', '1.5.2-6+deb12u2', 0],
  ['CVE-2025-6020', 'libpam-modules', '1.5.2-6+deb12u1', '1.5.2-6+deb12u2', 0],
  ['CVE-2025-6020', 'libpam-modules-bin', '1.5.2-6+deb12u1', '1.5.2-6+deb12u2', 0],
  ['CVE-2025-6020', 'libpam-runtime', '1.5.2-6+deb12u1', '1.5.2-6+deb12u2', 0],
  ['CVE-2026-32597', 'python3-jwt', '2.6.0-1', '2.6.0-1+deb12u1', 1],
  ['CVE-2022-25883', 'semver', '7.5.1', '7.5.2', 2],
  ['CVE-2023-32681', 'requests', '2.28.1', '2.31.0', 2],
];
