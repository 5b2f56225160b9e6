import type { InstalledPackage, OsRelease } from './inventory.js';

/**
 * Where a package's advisories live in OSV: the ecosystem, and the name and version to look up.
 * Debian and Alpine advisories name the source package (one CVE of `pam` covers libpam0g and
 * libpam-modules), at the source package's version (a binNMU's binary version has `+bN`).
 */
export interface AdvisoryKey {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
}

export function advisoryKey(pkg: InstalledPackage, os: OsRelease | undefined): AdvisoryKey | undefined {
  switch (pkg.type) {
    case 'npm':
      return { ecosystem: 'npm', name: pkg.name, version: pkg.version };
    case 'python':
      return { ecosystem: 'PyPI', name: normalisePythonName(pkg.name), version: pkg.version };
    case 'dpkg': {
      const ecosystem = os && osEcosystem(os);
      return ecosystem ? { ecosystem, name: pkg.sourceName ?? pkg.name, version: pkg.sourceVersion ?? pkg.version } : undefined;
    }
    case 'apk': {
      const ecosystem = os && osEcosystem(os);
      return ecosystem ? { ecosystem, name: pkg.sourceName ?? pkg.name, version: pkg.version } : undefined;
    }
    case 'rpm': {
      const ecosystem = os && osEcosystem(os);
      return ecosystem ? { ecosystem, name: pkg.name, version: pkg.version } : undefined;
    }
  }
}

/** OSV's ecosystem for an OS release: Debian:12, Ubuntu:22.04:LTS, Alpine:v3.18, Rocky Linux:9, AlmaLinux:9. */
export function osEcosystem(os: OsRelease): string | undefined {
  const version = os.versionId;
  if (!version) return undefined;
  const major = version.split('.')[0]!;
  switch (os.id) {
    case 'debian':
      return `Debian:${major}`;
    case 'ubuntu':
      // OSV names the long-term releases (even years' .04) Ubuntu:22.04:LTS.
      return /^\d\d\.04$/.test(version) && Number(version.slice(0, 2)) % 2 === 0 ? `Ubuntu:${version}:LTS` : `Ubuntu:${version}`;
    case 'alpine':
      return `Alpine:v${version.split('.').slice(0, 2).join('.')}`;
    case 'rocky':
      return `Rocky Linux:${major}`;
    case 'almalinux':
      return `AlmaLinux:${major}`;
    default:
      return undefined;
  }
}

/** PEP 503: lower-case, runs of `-`, `_` and `.` become one `-`. */
export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
