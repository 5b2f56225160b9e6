/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), for npm, Go modules and crates.io:
 * - `MAJOR.MINOR.PATCH` compare numerically;
 * - a version with a pre-release (`-alpha.1`) is older than the same version without one; pre-release
 *   identifiers compare one by one, numeric ones as integers and below alphanumeric ones (compared as
 *   ASCII), and a shorter list is older when all its identifiers are equal;
 * - build metadata (`+build.5`, Go's `+incompatible`) is ignored.
 * Tolerant of what real manifests hold: a `v` or `=` prefix (Go tags), fewer or more than three core
 * numbers (missing ones are 0: `1.2 == 1.2.0`), and core parts that are not plain numbers (compared by
 * their leading digits, then by the rest as text). It never throws.
 */
import { compareDigits, compareStrings, isDigit, sign } from './digits.js';

interface SemVer {
  readonly core: readonly string[];
  readonly pre: readonly string[];
}

/** Splits a version into its core parts and pre-release identifiers, dropping build metadata. */
export function parseSemver(version: string): SemVer {
  let v = version.trim().replace(/^[=v\s]+/i, '');
  const plus = v.indexOf('+');
  if (plus >= 0) v = v.slice(0, plus);
  const hyphen = v.indexOf('-');
  const core = hyphen >= 0 ? v.slice(0, hyphen) : v;
  const pre = hyphen >= 0 ? v.slice(hyphen + 1) : '';
  return { core: core === '' ? [] : core.split('.'), pre: hyphen >= 0 ? pre.split('.') : [] };
}

/** Compares two semantic versions by precedence. Returns <0, 0 or >0. */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  const n = Math.max(x.core.length, y.core.length, 3);
  for (let i = 0; i < n; i++) {
    const d = compareCorePart(x.core[i] ?? '0', y.core[i] ?? '0');
    if (d !== 0) return sign(d);
  }
  return sign(comparePreRelease(x.pre, y.pre));
}

/** A core part: its leading digits as an integer, then whatever follows as text. */
function compareCorePart(a: string, b: string): number {
  const da = leadingDigits(a);
  const db = leadingDigits(b);
  return compareDigits(da, db) || compareStrings(a.slice(da.length), b.slice(db.length));
}

function leadingDigits(s: string): string {
  let i = 0;
  while (isDigit(s[i])) i++;
  return s.slice(0, i);
}

function comparePreRelease(a: readonly string[], b: readonly string[]): number {
  // No pre-release outranks any pre-release (§11.3).
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const s = a[i];
    const t = b[i];
    if (s === undefined) return -1;
    if (t === undefined) return 1;
    const d = compareIdentifier(s, t);
    if (d !== 0) return d;
  }
  return 0;
}

function compareIdentifier(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return compareDigits(a, b);
  if (na !== nb) return na ? -1 : 1;
  return compareStrings(a, b);
}
