import { detectAll, type Detection } from '../detectors/detect.js';
import { packageKey } from '../detectors/found-package.js';
import type { InstalledPackage, Inventory } from '../inventory.js';
import { isLayerFacts, readLayerFacts, type LayerFacts } from './layer-facts.js';
import type { LayerSource } from './layer-source.js';
import { resolveLimits, UnreadableLayer, type ScanLimits } from './limits.js';
import { MergedFiles } from './merged-files.js';

export type { LayerFacts } from './layer-facts.js';
export type { LayerSource } from './layer-source.js';
export { DEFAULT_SCAN_LIMITS, ScanLimitExceeded, UnreadableLayer, UnsupportedLayer, type ScanLimits } from './limits.js';

/** Layer facts kept by layer digest, so a base layer shared by many images is read once. The caller persists it. */
export interface LayerCache {
  /** The facts stored for this digest, or undefined. Facts of another format version are read again. */
  get(digest: string): Promise<LayerFacts | undefined>;
  /** Stores a layer's facts (JSON-serialisable) under its digest. */
  set(digest: string, facts: LayerFacts): Promise<void>;
}

export interface InventoryOptions {
  readonly limits?: Partial<ScanLimits>;
  readonly cache?: LayerCache;
}

/**
 * The OS and installed packages of an image, from its layers bottom first. Each layer not in the
 * cache is streamed once, in order; each package carries the digest of the layer that introduced it at
 * its version (the lowest layer from which it stayed present up to the top).
 * Throws UnsupportedLayer, ScanLimitExceeded or UnreadableLayer (see readLayerFacts), UnreadableLayer
 * also when the final image's package database cannot be read, and whatever a layer's open() throws.
 */
export async function inventoryOf(layers: readonly LayerSource[], options: InventoryOptions = {}): Promise<Inventory> {
  const limits = resolveLimits(options.limits);
  const view = new MergedFiles();
  const introducedBy = new Map<string, number>();
  let detection: Detection = { packages: [], problems: [] };
  for (const [index, layer] of layers.entries()) {
    const facts = await factsOf(layer, limits, options.cache);
    view.apply(facts, index);
    if (facts.files.length === 0 && facts.whiteouts.length === 0 && facts.opaque.length === 0) continue;
    detection = detectAll(view);
    trackIntroductions(introducedBy, detection, index);
  }
  if (detection.problems.length > 0) throw new UnreadableLayer(detection.problems.join('; '));
  const packages: InstalledPackage[] = detection.packages.map((pkg) => ({ ...pkg, layerDigest: layers[introducedBy.get(packageKey(pkg))!]!.digest }));
  return detection.os ? { os: detection.os, packages } : { packages };
}

async function factsOf(layer: LayerSource, limits: ScanLimits, cache: LayerCache | undefined): Promise<LayerFacts> {
  const cached = await cache?.get(layer.digest);
  if (cached !== undefined && isLayerFacts(cached)) return cached;
  const facts = await readLayerFacts(layer, limits);
  await cache?.set(layer.digest, facts);
  return facts;
}

/** A package keeps the layer where it appeared, until a layer removes it or changes its version. */
function trackIntroductions(introducedBy: Map<string, number>, detection: Detection, layer: number): void {
  const present = new Set(detection.packages.map(packageKey));
  for (const key of introducedBy.keys()) if (!present.has(key)) introducedBy.delete(key);
  for (const key of present) if (!introducedBy.has(key)) introducedBy.set(key, layer);
}
