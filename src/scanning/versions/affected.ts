/**
 * Whether an installed version is affected by an OSV record, following the schema's evaluation
 * algorithm (https://ossf.github.io/osv-schema/#evaluation): a version is affected when it is listed in
 * `versions` or lies in one of the `SEMVER` / `ECOSYSTEM` ranges (`GIT` ranges need the commit graph and
 * are skipped). A range is walked over its events sorted by version: `introduced` (with `"0"` before
 * everything) turns it on, `fixed` (at or below the version) and `last_affected` (below it) turn it off;
 * `limit` events bound the whole range (`"*"` is infinity).
 */
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from '../osv.js';
import { comparatorFor, schemeForEcosystem, type VersionComparator, type VersionScheme } from './compare.js';

/** The verdict for one installed version: affected or not, and the version to upgrade to when known. */
export interface AffectedVerdict {
  readonly affected: boolean;
  /**
   * The version to upgrade to: the smallest `fixed` version above the installed one that is not itself
   * affected (normally the fix of the range that matched). Absent when not affected, when no range has a
   * fix above the version (`last_affected`, unfixed, or a bare `versions` list), or when no
   * listed fix leaves the package unaffected.
   */
  readonly fixedIn?: string;
}

/**
 * Evaluates one `affected` entry for `version`. `ECOSYSTEM` ranges compare under `scheme`, `SEMVER`
 * ranges under Semantic Versioning whatever the scheme.
 */
export function evaluateAffected(affected: OsvAffected, version: string, scheme: VersionScheme): AffectedVerdict {
  return evaluateEntries([affected], version, scheme);
}

/**
 * Evaluates a whole record for one installed package: every `affected` entry whose package is
 * (`ecosystem`, `packageName`) counts; the ecosystem must be equal, so must the name, except in PyPI
 * where names compare after PEP 503 normalisation. A withdrawn record never matches. An ecosystem with
 * no known ordering can still match through `versions` (exact strings) and `SEMVER` ranges.
 */
export function affectedBy(record: OsvRecord, ecosystem: string, packageName: string, version: string): AffectedVerdict {
  if (record.withdrawn) return { affected: false };
  const pypi = ecosystem === 'PyPI';
  const wanted = pypi ? normalizePypiName(packageName) : packageName;
  const entries = (record.affected ?? []).filter((entry) => {
    const pkg = entry.package;
    if (!pkg || pkg.ecosystem !== ecosystem) return false;
    return (pypi ? normalizePypiName(pkg.name) : pkg.name) === wanted;
  });
  return evaluateEntries(entries, version, schemeForEcosystem(ecosystem));
}

/** PEP 503 name normalisation: lower case, every run of `-`, `_` and `.` becomes one `-`. */
export function normalizePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function evaluateEntries(entries: readonly OsvAffected[], version: string, scheme: VersionScheme | undefined): AffectedVerdict {
  const isAffected = (v: string): boolean => entries.some((e) => matchingRanges(e, v, scheme).length > 0 || listed(e, v, scheme));
  if (!isAffected(version)) return { affected: false };
  // Every listed fix above the version, from any range of the package: the smallest one that is not
  // itself affected is the upgrade (the matching range's own fix, unless another range covers it).
  const candidates: string[] = [];
  for (const entry of entries) {
    for (const range of entry.ranges ?? []) {
      const cmp = comparatorOf(range, scheme);
      if (!cmp) continue;
      for (const e of range.events) if ('fixed' in e && cmp(e.fixed, version) > 0) candidates.push(e.fixed);
    }
  }
  const order = comparatorFor(scheme ?? 'semver');
  const fixedIn = [...new Set(candidates)].sort(order).find((c) => !isAffected(c));
  return fixedIn === undefined ? { affected: true } : { affected: true, fixedIn };
}

/** The comparator of a range, or `undefined` when it cannot be evaluated (GIT, unknown types or orderings). */
function comparatorOf(range: OsvRange, scheme: VersionScheme | undefined): VersionComparator | undefined {
  if (range.type === 'SEMVER') return comparatorFor('semver');
  if (range.type === 'ECOSYSTEM' && scheme) return comparatorFor(scheme);
  return undefined;
}

function matchingRanges(entry: OsvAffected, version: string, scheme: VersionScheme | undefined): OsvRange[] {
  return (entry.ranges ?? []).filter((range) => {
    const cmp = comparatorOf(range, scheme);
    return cmp !== undefined && beforeLimits(range, version, cmp) && includedInRange(range, version, cmp);
  });
}

function listed(entry: OsvAffected, version: string, scheme: VersionScheme | undefined): boolean {
  const cmp = scheme ? comparatorFor(scheme) : undefined;
  return (entry.versions ?? []).some((v) => v === version || (cmp !== undefined && cmp(v, version) === 0));
}

/** With no `limit` event the range is unbounded; otherwise the version must be below one of them. */
function beforeLimits(range: OsvRange, version: string, cmp: VersionComparator): boolean {
  const limits = range.events.flatMap((e) => ('limit' in e ? [e.limit] : []));
  return limits.length === 0 || limits.some((limit) => limit.includes('*') || cmp(version, limit) < 0);
}

function includedInRange(range: OsvRange, version: string, cmp: VersionComparator): boolean {
  let vulnerable = false;
  for (const e of sortEvents(range.events, cmp)) {
    if ('introduced' in e) {
      if (e.introduced === '0' || cmp(version, e.introduced) >= 0) vulnerable = true;
    } else if ('fixed' in e) {
      if (cmp(version, e.fixed) >= 0) vulnerable = false;
    } else if ('last_affected' in e) {
      if (cmp(version, e.last_affected) > 0) vulnerable = false;
    }
  }
  return vulnerable;
}

/** Events by version (`introduced: "0"` first, `limit: "*"` last); at one version, `introduced` first. */
function sortEvents(events: readonly OsvEvent[], cmp: VersionComparator): OsvEvent[] {
  const rank = (e: OsvEvent): number => ('introduced' in e ? 0 : 1);
  return [...events].sort((x, y) => {
    const a = eventVersion(x);
    const b = eventVersion(y);
    if (a === b) return rank(x) - rank(y);
    if (isZero(x) || isInfinite(y)) return -1;
    if (isZero(y) || isInfinite(x)) return 1;
    return cmp(a, b) || rank(x) - rank(y);
  });
}

function eventVersion(e: OsvEvent): string {
  if ('introduced' in e) return e.introduced;
  if ('fixed' in e) return e.fixed;
  if ('last_affected' in e) return e.last_affected;
  return e.limit;
}

function isZero(e: OsvEvent): boolean {
  return 'introduced' in e && e.introduced === '0';
}

function isInfinite(e: OsvEvent): boolean {
  return 'limit' in e && e.limit.includes('*');
}
