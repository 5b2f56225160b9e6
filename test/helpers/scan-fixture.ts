// The scan fixture image of ../shared/fixtures/scan/README.md, ready to push: the layers the scanner's own
// tests build (gzip, gzip, zstd, mtime 0, so the digests are the same on every run), a config, a manifest.
import { fixtureImage, fixtureTars, SCAN_FIXTURE } from '../../src/scanning/layers/test-suite-layers.js';
import { content, type BuiltImage, type Content } from './images.js';

export { SCAN_FIXTURE };

/** The fixture image, ready to push: layers (compressed as their media types say), config and manifest. */
export async function scanFixtureImage(): Promise<BuiltImage & { layerMediaTypes: string[] }> {
  const built = await fixtureImage();
  const layers: Content[] = built.map((layer) => content(layer.bytes));
  const layerMediaTypes = built.map((layer) => layer.mediaType);
  const uncompressed = await fixtureTars();
  const config = content(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: uncompressed.map((bytes) => content(bytes).digest) },
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
