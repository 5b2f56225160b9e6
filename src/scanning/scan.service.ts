import type { OpContext } from '../core/context.js';
import { parseDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import type { DomainEvent } from '../events/domain-events.js';
import { enqueueJob } from '../metadata/jobs.repository.js';
import { beginImageScan, findImageScan, findImageScans, finishImageScan, findLayerFacts, markMatchedAt, putLayerFacts, staleScans, type ImageScanRow } from '../metadata/scans.repository.js';
import { statBlob, openBlob } from '../registry/blobs.service.js';
import { readManifestBytes, resolveManifest } from '../registry/manifests.service.js';
import type { Registry } from '../registry/registry.js';
import { existingRepository, repositorySettings } from '../registry/repositories.service.js';
import { findingsFor } from './match.js';
import { severityCounts, type Finding } from './findings.js';
import { tagsOfManifests } from '../metadata/images.repository.js';
import type { Inventory } from './inventory.js';
import { inventoryOf, ScanLimitExceeded, UnreadableLayer, UnsupportedLayer, type LayerCache, type LayerSource, type ScanLimits } from './layers/inventory-of.js';
import { registryScanning, repositoryScanning } from './scanning-config.js';
import { vulndbGeneration } from './vulndb/generation.js';

export const SCAN_JOB = 'image-scan';

const IMAGE_MANIFESTS = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
const IMAGE_CONFIGS = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

/**
 * Marks the image's scan IN_PROGRESS and queues it as a background job: a push, or StartImageScan,
 * never waits for a scan. Any node's worker runs it (the job is leased).
 */
export async function requestScan(registry: Registry, repository: string, digest: string): Promise<void> {
  const repo = await existingRepository(registry, repository);
  const config = await registryScanning(registry);
  const now = registry.clock.now().getTime();
  await beginImageScan(registry.metadata.db, repo.id, digest, config.scanType, now);
  await enqueueJob(registry.metadata.db, { kind: SCAN_JOB, dedupeKey: `${repository}@${digest}@${now}`, payload: JSON.stringify({ repository, digest }), runAfter: now }, now);
}

/**
 * Scan on push: an image pushed to a repository that scans on push (its setting or a registry rule) is
 * queued, once: an image that has a scan already (the same push's event seen twice, a push of the same
 * image again) is left as it is.
 */
export function scanOnPush(registry: Registry): (event: DomainEvent) => Promise<void> {
  return async (event) => {
    if (event.type !== 'ImagePushed' || !IMAGE_MANIFESTS.has(event.mediaType)) return;
    const settings = await repositorySettings(registry, event.repository);
    const scanning = repositoryScanning(await registryScanning(registry), event.repository, settings.scan_on_push === 1);
    if (!scanning.scanOnPush || (await findImageScan(registry.metadata.db, settings.id, event.digest))) return;
    await requestScan(registry, event.repository, event.digest);
  };
}

/** The stored scan of an image; SCAN_NOT_FOUND when it was never scanned. */
export async function scanOf(registry: Registry, repository: string, digest: string): Promise<ImageScanRow> {
  const repo = await existingRepository(registry, repository);
  const row = await findImageScan(registry.metadata.db, repo.id, digest);
  if (!row) throw new RegistryError('SCAN_NOT_FOUND', `Image scan does not exist for the image with '${digest}' in the repository with name '${repository}'`);
  return row;
}

export function findingsOfScan(row: ImageScanRow): Finding[] {
  return row.findings ? (JSON.parse(row.findings) as Finding[]) : [];
}

/**
 * The scan job: reads the image's layers (each once: their facts are kept by digest), builds its
 * package inventory, matches it against the vulnerability data, and records the findings. A layer
 * that is not a tar makes it UNSUPPORTED_IMAGE; a bomb or an unreadable layer makes it FAILED.
 */
export async function runImageScan(registry: Registry, ctx: OpContext, repository: string, digest: string, options: { limits?: Partial<ScanLimits> } = {}): Promise<void> {
  const repo = await existingRepository(registry, repository);
  const db = registry.metadata.db;
  const finish = (result: Parameters<typeof finishImageScan>[3]) => finishImageScan(db, repo.id, digest, result);
  const done = { completed_at: registry.clock.now().getTime() };
  let inventory: Inventory;
  try {
    const layers = await layersOf(registry, ctx, repository, digest);
    if (!layers) {
      await finish({ status: 'UNSUPPORTED_IMAGE', description: 'The image is not a container image (an index, an artifact or a foreign config type)', inventory: null, findings: null, vulndb_generation: null, ...done });
      return;
    }
    inventory = await inventoryOf(layers, { cache: layerCache(registry), ...(options.limits ? { limits: options.limits } : {}) });
  } catch (err) {
    if (err instanceof UnsupportedLayer) {
      await finish({ status: 'UNSUPPORTED_IMAGE', description: err.message, inventory: null, findings: null, vulndb_generation: null, ...done });
      return;
    }
    if (err instanceof ScanLimitExceeded || err instanceof UnreadableLayer || (err instanceof RegistryError && err.code === 'BLOB_UNKNOWN')) {
      await finish({ status: 'FAILED', description: err.message, inventory: null, findings: null, vulndb_generation: null, ...done });
      await publishScanCompleted(registry, repository, digest, 'FAILED', []);
      return;
    }
    throw err;
  }
  const findings = await recordFindings(registry, repo.id, digest, inventory);
  await publishScanCompleted(registry, repository, digest, 'COMPLETE', findings);
}

/** ECR's "ECR Image Scan" event (its EventBridge detail shape), for webhooks to deliver. */
async function publishScanCompleted(registry: Registry, repository: string, digest: string, status: string, findings: Finding[]): Promise<void> {
  const repo = await existingRepository(registry, repository);
  const tags = (await tagsOfManifests(registry.metadata.db, repo.id, [digest])).get(digest) ?? [];
  await registry.events.publish({
    type: 'ImageScanCompleted',
    repository,
    digest,
    detail: { 'scan-status': status, 'repository-name': repository, 'image-digest': digest, 'image-tags': tags, 'finding-severity-counts': severityCounts(findings) },
  });
}

/** Matches an inventory against the current vulnerability data and stores the result COMPLETE. */
export async function recordFindings(registry: Registry, repositoryId: number, digest: string, inventory: Inventory): Promise<Finding[]> {
  const generation = await vulndbGeneration(registry.metadata.db);
  const findings = await findingsFor(registry.metadata.db, inventory);
  await finishImageScan(registry.metadata.db, repositoryId, digest, {
    status: 'COMPLETE',
    description: 'The scan was completed successfully.',
    inventory: JSON.stringify(inventory),
    findings: JSON.stringify(findings),
    vulndb_generation: generation,
    completed_at: registry.clock.now().getTime(),
  });
  return findings;
}

/** The image's layers as the scanner reads them, or undefined for what is not a container image. */
async function layersOf(registry: Registry, ctx: OpContext, repository: string, digest: string): Promise<LayerSource[] | undefined> {
  const manifest = await resolveManifest(registry, repository, digest);
  if (!IMAGE_MANIFESTS.has(manifest.mediaType)) return undefined;
  const parsed = JSON.parse((await readManifestBytes(registry, ctx, manifest)).toString('utf8')) as {
    config?: { mediaType?: string };
    layers?: { digest: string; mediaType: string }[];
  };
  if (!parsed.config?.mediaType || !IMAGE_CONFIGS.has(parsed.config.mediaType)) return undefined;
  return (parsed.layers ?? []).map((layer) => ({
    digest: layer.digest,
    mediaType: layer.mediaType,
    open: async () => openBlob(registry, ctx, await statBlob(registry, repository, parseDigest(layer.digest).value)),
  }));
}

/** Layer facts kept in the database by layer digest: immutable content, so right on every node. */
function layerCache(registry: Registry): LayerCache {
  return {
    get: async (digest) => {
      const text = await findLayerFacts(registry.metadata.db, digest);
      return text ? JSON.parse(text) : undefined;
    },
    set: (digest, facts) => putLayerFacts(registry.metadata.db, digest, JSON.stringify(facts), registry.clock.now().getTime()),
  };
}

/** The stored scans of several images of a repository, by digest (DescribeImages). */
export async function scansOf(registry: Registry, repository: string, digests: readonly string[]): Promise<Map<string, ImageScanRow>> {
  const repo = await existingRepository(registry, repository);
  return findImageScans(registry.metadata.db, repo.id, digests);
}

/**
 * Continuous scanning: when the vulnerability data changed since an ENHANCED scan, its stored
 * inventory is matched again (no layer is read) for the repositories that CONTINUOUS_SCAN rules select.
 * Scans of other repositories are brought to the new generation unchanged. Returns how many were re-matched.
 */
export async function rematchForNewData(registry: Registry): Promise<number> {
  const config = await registryScanning(registry);
  if (config.scanType !== 'ENHANCED') return 0;
  const generation = await vulndbGeneration(registry.metadata.db);
  let rematched = 0;
  for (;;) {
    const stale = await staleScans(registry.metadata.db, 'ENHANCED', generation, 100);
    if (stale.length === 0) return rematched;
    for (const scan of stale) {
      const settings = await repositorySettings(registry, scan.repository);
      if (repositoryScanning(config, scan.repository, settings.scan_on_push === 1).scanFrequency === 'CONTINUOUS_SCAN') {
        await recordFindings(registry, scan.repository_id, scan.manifest_digest, JSON.parse(scan.inventory) as Inventory);
        rematched++;
      } else {
        await markMatchedAt(registry.metadata.db, scan.repository_id, scan.manifest_digest, generation);
      }
    }
  }
}
