/** How much of an image the scanner reads before it gives up: a tar or gzip bomb is a failed scan, not a crash. */
export interface ScanLimits {
  /** Decompressed bytes per layer. */
  readonly maxLayerBytes: number;
  /** Tar entries per layer (directories, links and whiteouts count). */
  readonly maxEntries: number;
  /** The largest metadata file read into memory (an rpmdb, a dpkg status file, a package.json). */
  readonly maxFileBytes: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = Object.freeze({
  maxLayerBytes: 8 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxFileBytes: 64 * 1024 ** 2,
});

/** A layer is larger, has more entries, or holds a bigger metadata file than the limits allow. */
export class ScanLimitExceeded extends Error {
  override readonly name = 'ScanLimitExceeded';
}

/** A layer whose media type or content is not a (compressed) tar: an OCI artifact's blob, say. */
export class UnsupportedLayer extends Error {
  override readonly name = 'UnsupportedLayer';
}

/** A layer that should be a tar but cannot be read: corrupt gzip or zstd data, a truncated or malformed tar. */
export class UnreadableLayer extends Error {
  override readonly name = 'UnreadableLayer';
}

/** The defaults with the caller's overrides; each must be a positive number. */
export function resolveLimits(limits: Partial<ScanLimits> | undefined): ScanLimits {
  const resolved = { ...DEFAULT_SCAN_LIMITS, ...definedOnly(limits ?? {}) };
  for (const [key, value] of Object.entries(resolved)) {
    if (!(typeof value === 'number' && value > 0)) throw new RangeError(`scan limit ${key} must be a positive number`);
  }
  return resolved;
}

function definedOnly(limits: Partial<ScanLimits>): Partial<ScanLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

/** `1.5 GiB`, `64 MiB`: limits in messages people read. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
