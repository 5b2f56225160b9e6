import type { InstalledPackage } from './inventory.js';
import type { OsvRecord } from './osv.js';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED';
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

/** One installed package affected by one advisory: what a finding is made of (stored as JSON with the scan). */
export interface Finding {
  /** The CVE id when the advisory has one (its id, aliases or upstream), else the advisory's id. */
  readonly name: string;
  readonly advisoryId: string;
  readonly aliases: readonly string[];
  readonly description: string;
  readonly uri: string;
  readonly severity: Severity;
  readonly cvss?: { readonly score: number; readonly vector: string; readonly version: string };
  /** Who rated it: the CVSS vector's source or the distribution's rating. */
  readonly severitySource: string;
  readonly package: InstalledPackage;
  readonly fixedInVersion?: string;
  readonly ecosystem: string;
}

/** A finding from an advisory that affects a package; `fixedIn` and the severity come from matching. */
export function findingOf(
  record: OsvRecord,
  pkg: InstalledPackage,
  ecosystem: string,
  fixedIn: string | undefined,
  rating: { severity: Severity; score?: number; vector?: string; source: string },
): Finding {
  const aliases = [...new Set([...(record.aliases ?? []), ...(record.upstream ?? [])])].filter((alias) => alias !== record.id);
  const cve = [record.id, ...aliases].find((id) => /^CVE-\d{4}-\d+$/.test(id));
  const name = cve ?? record.id;
  const advisory = record.references?.find((ref) => ref.type === 'ADVISORY')?.url;
  return {
    name,
    advisoryId: record.id,
    aliases,
    description: record.summary ?? record.details?.split('\n')[0] ?? name,
    uri: advisory ?? (cve ? `https://nvd.nist.gov/vuln/detail/${cve}` : `https://osv.dev/vulnerability/${record.id}`),
    severity: rating.severity,
    ...(rating.score !== undefined && rating.vector ? { cvss: { score: rating.score, vector: rating.vector, version: /^CVSS:3/.test(rating.vector) ? '3' : rating.vector.startsWith('CVSS:4') ? '4' : '2' } } : {}),
    severitySource: rating.source,
    package: pkg,
    ...(fixedIn !== undefined ? { fixedInVersion: fixedIn } : {}),
    ecosystem,
  };
}

/** Most severe first, then by name and package, as ECR lists them. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.name.localeCompare(b.name) ||
      a.package.name.localeCompare(b.package.name) ||
      a.package.version.localeCompare(b.package.version),
  );
}

export function severityCounts(findings: readonly Finding[]): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const finding of findings) counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
  return counts;
}
