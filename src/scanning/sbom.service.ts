import { createHash } from 'node:crypto';
import type { OpContext } from '../core/context.js';
import { RegistryError } from '../core/errors.js';
import { putManifest, resolveManifest } from '../registry/manifests.service.js';
import type { Registry } from '../registry/registry.js';
import { uploadWhole } from '../registry/uploads.service.js';
import type { Inventory } from './inventory.js';
import { scanOf } from './scan.service.js';
import { CYCLONEDX_MEDIA_TYPE, cycloneDx } from './sbom.js';

const TOOL = { name: 'berth', version: '0.1.0' };
const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') };

/** The CycloneDX SBOM of a scanned image (by tag or digest), from the inventory its last scan stored. */
export async function imageSbom(registry: Registry, repository: string, reference: string): Promise<{ digest: string; sbom: ReturnType<typeof cycloneDx> }> {
  const manifest = await resolveManifest(registry, repository, reference);
  const scan = await scanOf(registry, repository, manifest.digest);
  if (scan.status !== 'COMPLETE' || !scan.inventory) {
    throw new RegistryError('SCAN_NOT_FOUND', `image ${manifest.digest} has no complete scan (status ${scan.status}); scan it first`);
  }
  const inventory = JSON.parse(scan.inventory) as Inventory;
  return { digest: manifest.digest, sbom: cycloneDx(inventory, { repository, digest: manifest.digest }, registry.clock.now(), TOOL) };
}

/**
 * Attaches the SBOM to the image as an OCI referrer (artifactType application/vnd.cyclonedx+json,
 * subject the image), so `oras discover` and the referrers API find it. Returns the referrer's digest.
 */
export async function attachSbom(registry: Registry, ctx: OpContext, repository: string, reference: string): Promise<{ subject: string; referrer: string }> {
  const { digest, sbom } = await imageSbom(registry, repository, reference);
  const layer = Buffer.from(JSON.stringify(sbom));
  for (const blob of [layer, EMPTY_CONFIG.bytes]) {
    await uploadWhole(registry, ctx, repository, sha256(blob), { body: (async function* () { yield blob; })(), length: blob.length });
  }
  const subject = await resolveManifest(registry, repository, digest);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: CYCLONEDX_MEDIA_TYPE,
      config: { mediaType: EMPTY_CONFIG.mediaType, digest: sha256(EMPTY_CONFIG.bytes), size: EMPTY_CONFIG.bytes.length },
      layers: [{ mediaType: CYCLONEDX_MEDIA_TYPE, digest: sha256(layer), size: layer.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: { 'org.opencontainers.image.created': registry.clock.now().toISOString(), 'dev.berth.sbom.format': 'CycloneDX 1.6' },
    }),
  );
  const pushed = await putManifest(registry, ctx, repository, sha256(manifest), 'application/vnd.oci.image.manifest.v1+json', manifest);
  return { subject: digest, referrer: pushed.digest };
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
