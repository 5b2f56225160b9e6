/**
 * Which files the detectors read. A layer reader keeps only these (parsed) and drains every other
 * entry, so what is relevant must be decidable from the path alone.
 */
export type FileKind = 'os-release' | 'dpkg-status' | 'dpkg-files' | 'apk-db' | 'rpmdb' | 'npm' | 'python';

export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;
export const DPKG_STATUS_PATH = 'var/lib/dpkg/status';
/** Alpine's database; newer releases may keep it under usr/. */
export const APK_DB_PATHS = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'] as const;
/** RHEL 9, Rocky, Alma keep the rpmdb under var/lib/rpm; Fedora 36+ under usr/lib/sysimage/rpm (var/lib/rpm is a symlink there). */
export const RPMDB_PATHS = ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite'] as const;

const DPKG_STATUS_D = /^var\/lib\/dpkg\/status\.d\/[^/]+$/;
const DPKG_LIST = /^var\/lib\/dpkg\/info\/[^/]+\.list$/;
/** A package.json directly inside node_modules/<name>/ or node_modules/@scope/<name>/ (names never start with a dot). */
const NPM_MANIFEST = /(?:^|\/)node_modules\/(?:@[^/.][^/]*\/)?[^/.@][^/]*\/package\.json$/;
const NPM_ROOT = /^(?:.*\/)?node_modules\/(?:@[^/.][^/]*\/)?[^/.@][^/]*$/;
/** Python distribution metadata directly inside a site-packages or dist-packages directory. */
const PYTHON_METADATA = /(?:^|\/)(?:site|dist)-packages\/[^/]+(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO)$/;
const PYTHON_ROOT = /^(?:.*\/)?(?:site|dist)-packages\/[^/]+\.(?:dist-info|egg-info)$/;

/** The kind of a normalised path, or undefined when no detector reads it. */
export function fileKindOf(path: string): FileKind | undefined {
  if ((OS_RELEASE_PATHS as readonly string[]).includes(path)) return 'os-release';
  if (path === DPKG_STATUS_PATH) return 'dpkg-status';
  if (DPKG_STATUS_D.test(path)) return path.endsWith('.md5sums') ? 'dpkg-files' : 'dpkg-status';
  if (DPKG_LIST.test(path)) return 'dpkg-files';
  if ((APK_DB_PATHS as readonly string[]).includes(path)) return 'apk-db';
  if ((RPMDB_PATHS as readonly string[]).includes(path)) return 'rpmdb';
  if (NPM_MANIFEST.test(path)) return 'npm';
  // A single-file egg-info holds what PKG-INFO would.
  if (PYTHON_METADATA.test(path) || (PYTHON_ROOT.test(path) && path.endsWith('.egg-info'))) return 'python';
  return undefined;
}

/**
 * The directory (or single file) that is a language package, for a path inside it: the unit an OS
 * package owns. `…/node_modules/x/package.json` → `…/node_modules/x`; `…/site-packages/a.dist-info/METADATA`
 * → `…/site-packages/a.dist-info`. Undefined for paths that are not a language package or its metadata.
 */
export function languagePackageRoot(path: string): string | undefined {
  if (NPM_ROOT.test(path) || PYTHON_ROOT.test(path)) return path;
  if (NPM_MANIFEST.test(path) || PYTHON_METADATA.test(path)) return path.slice(0, path.lastIndexOf('/'));
  return undefined;
}

/** The distinct language package roots among a package manager's file list (normalised paths). */
export function languageRootsOf(paths: Iterable<string>): string[] {
  const roots = new Set<string>();
  for (const path of paths) {
    const root = languagePackageRoot(path);
    if (root !== undefined) roots.add(root);
  }
  return [...roots].sort();
}
