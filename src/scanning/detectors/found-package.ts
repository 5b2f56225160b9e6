import type { InstalledPackage } from '../inventory.js';

/** A package as a detector sees it in a filesystem view; the inventory adds the layer that introduced it. */
export type FoundPackage = Omit<InstalledPackage, 'layerDigest'>;

/** The identity under which a package is tracked across layers: same type, name, version and file. */
export function packageKey(pkg: FoundPackage): string {
  return [pkg.type, pkg.name, pkg.version, pkg.path].join('\u0000');
}

/** A stable order for reports: by type, then name, version and path. */
export function comparePackages(a: FoundPackage, b: FoundPackage): number {
  return compareText(a.type, b.type) || compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.path, b.path);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
