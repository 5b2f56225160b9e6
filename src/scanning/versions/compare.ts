/** One entry point for every version ordering the scanner knows, and which one an OSV ecosystem uses. */
import { compareApk } from './apk.js';
import { compareDpkg } from './dpkg.js';
import { comparePep440 } from './pep440.js';
import { compareRpm } from './rpm.js';
import { compareSemver } from './semver.js';

/** A version ordering: Debian's, Alpine's, RPM's, Semantic Versioning 2.0, or Python's PEP 440. */
export type VersionScheme = 'dpkg' | 'apk' | 'rpm' | 'semver' | 'pep440';

/** A total order on version strings: <0 when a is older, 0 when equal, >0 when newer. Never throws. */
export type VersionComparator = (a: string, b: string) => number;

const COMPARATORS: Record<VersionScheme, VersionComparator> = {
  dpkg: compareDpkg,
  apk: compareApk,
  rpm: compareRpm,
  semver: compareSemver,
  pep440: comparePep440,
};

/** The comparator of a scheme. */
export function comparatorFor(scheme: VersionScheme): VersionComparator {
  return COMPARATORS[scheme];
}

/** Compares two versions under a scheme: <0 when a is older, 0 when equal, >0 when newer. */
export function compareVersions(scheme: VersionScheme, a: string, b: string): number {
  return COMPARATORS[scheme](a, b);
}

/**
 * The ordering of an OSV ecosystem's `ECOSYSTEM` ranges, by the part of the ecosystem string before the
 * first `:` (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.18`, `Red Hat:enterprise_linux:9::appstream`).
 * `undefined` for an ecosystem whose ordering is not implemented (Maven, RubyGems, NuGet, Packagist, …).
 */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const colon = ecosystem.indexOf(':');
  return ECOSYSTEM_SCHEMES.get(colon >= 0 ? ecosystem.slice(0, colon) : ecosystem);
}

// The OSV schema's list of defined ecosystems, for those whose ordering is one of ours.
const ECOSYSTEM_SCHEMES = new Map<string, VersionScheme>([
  ['Debian', 'dpkg'],
  ['Ubuntu', 'dpkg'],
  ['Alpine', 'apk'],
  ['Wolfi', 'apk'],
  ['Chainguard', 'apk'],
  ['Alpaquita', 'apk'],
  ['BellSoft Hardened Containers', 'apk'],
  ['Red Hat', 'rpm'],
  ['Rocky Linux', 'rpm'],
  ['AlmaLinux', 'rpm'],
  ['openSUSE', 'rpm'],
  ['SUSE', 'rpm'],
  ['Mageia', 'rpm'],
  ['Photon OS', 'rpm'],
  ['openEuler', 'rpm'],
  ['npm', 'semver'],
  ['Go', 'semver'],
  ['crates.io', 'semver'],
  ['Hex', 'semver'],
  ['PyPI', 'pep440'],
]);
