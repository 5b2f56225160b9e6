import type { OsRelease } from '../inventory.js';
import { detectApk } from './apk.js';
import { detectDpkg } from './dpkg.js';
import type { FileView } from './facts.js';
import { comparePackages, type FoundPackage } from './found-package.js';
import { detectLanguagePackages } from './language.js';
import { detectOs } from './os-release.js';
import { detectRpm } from './rpmdb.js';

export interface Detection {
  readonly os?: OsRelease;
  /** Every package, in a stable order (comparePackages). */
  readonly packages: readonly FoundPackage[];
  /** Package databases present but unreadable; a scan of an image whose final view has any fails. */
  readonly problems: readonly string[];
}

/** Runs every detector over a filesystem view: the OS, OS packages, then language packages no OS package owns. */
export function detectAll(view: FileView): Detection {
  const os = detectOs(view);
  const rpm = detectRpm(view);
  const packages = [...detectDpkg(view), ...detectApk(view), ...rpm.packages, ...detectLanguagePackages(view, ownedRoots(view))];
  packages.sort(comparePackages);
  return os ? { os, packages, problems: rpm.problems } : { packages, problems: rpm.problems };
}

/** The language package roots any OS package's file list claims (dpkg .list/.md5sums, apk R:, rpm file lists). */
export function ownedRoots(view: FileView): Set<string> {
  const owned = new Set<string>();
  for (const [, entry] of view.files()) {
    const fact = entry.fact;
    if (fact.kind === 'dpkg-files' || fact.kind === 'apk-db' || fact.kind === 'rpmdb') for (const root of fact.owns) owned.add(root);
  }
  return owned;
}
