/**
 * The severity of an OSV record, as a finding shows it: the highest CVSS base score the record (or the
 * affected entry) carries, else the rating of the database that published it.
 */
import type { OsvAffected, OsvRecord, OsvSeverity } from '../osv.js';
import { cvssV2BaseScore } from './cvss-v2.js';
import { cvssV3BaseScore } from './cvss-v3.js';
import { compareSeverity, severityOfCvssV2Score, severityOfScore, type FindingSeverity } from './finding-severity.js';

/**
 * Where a severity came from: a CVSS vector (`CVSS_V3`, `CVSS_V2`, the OSV severity types), a
 * database's own rating (`database_specific.severity`: GitHub's; `ecosystem_specific.urgency`: Debian's;
 * `Ubuntu`: the Ubuntu priority severity type), or nothing at all (`none`).
 */
export type SeveritySource = 'CVSS_V3' | 'CVSS_V2' | 'database_specific.severity' | 'ecosystem_specific.urgency' | 'Ubuntu' | 'none';

export interface RecordSeverity {
  readonly severity: FindingSeverity;
  /** The CVSS base score, when the severity comes from a vector. */
  readonly score?: number;
  /** The vector that gave the score. */
  readonly vector?: string;
  readonly source: SeveritySource;
}

/**
 * The severity of `record`, looking at the record's `severity` and that of `affected` (or, without
 * `affected`, of every affected entry):
 * 1. the highest CVSS v3.x base score among its vectors, rated with NVD's v3 ranges;
 * 2. else the highest CVSS v2 base score, rated with NVD's v2 ranges;
 * 3. else the database's rating: GitHub's `database_specific.severity` (MODERATE is MEDIUM), Debian's
 *    `ecosystem_specific.urgency`, then the Ubuntu priority; the first that names a level wins, the most
 *    severe when entries disagree;
 * 4. else UNDEFINED.
 * CVSS v4.0 vectors are not scored (that needs the specification's macro-vector tables, not implemented
 * here): a record with only a v4 vector falls through to its database's rating.
 */
export function severityOfRecord(record: OsvRecord, affected?: OsvAffected): RecordSeverity {
  const entries = affected ? [affected] : (record.affected ?? []);
  const vectors = [...(record.severity ?? []), ...entries.flatMap((e) => e.severity ?? [])];
  return (
    fromCvss(vectors, 'CVSS_V3', cvssV3BaseScore, severityOfScore) ??
    fromCvss(vectors, 'CVSS_V2', cvssV2BaseScore, severityOfCvssV2Score) ??
    fromRatings(record, entries, vectors) ?? { severity: 'UNDEFINED', source: 'none' }
  );
}

function fromCvss(
  vectors: readonly OsvSeverity[],
  type: 'CVSS_V3' | 'CVSS_V2',
  score: (vector: string) => number | undefined,
  rate: (score: number) => FindingSeverity,
): RecordSeverity | undefined {
  let best: RecordSeverity | undefined;
  for (const s of vectors) {
    if (s.type !== type) continue;
    const value = score(s.score);
    if (value !== undefined && (best?.score === undefined || value > best.score)) {
      best = { severity: rate(value), score: value, vector: s.score.trim(), source: type };
    }
  }
  return best;
}

function fromRatings(record: OsvRecord, entries: readonly OsvAffected[], vectors: readonly OsvSeverity[]): RecordSeverity | undefined {
  const sources: readonly [SeveritySource, readonly (FindingSeverity | undefined)[]][] = [
    ['database_specific.severity', [...entries.map((e) => e.database_specific), record.database_specific].map((d) => githubSeverity(d?.severity))],
    ['ecosystem_specific.urgency', entries.map((e) => debianUrgency(e.ecosystem_specific?.urgency))],
    ['Ubuntu', vectors.filter((s) => s.type === 'Ubuntu').map((s) => ubuntuPriority(s.score))],
  ];
  let undefinedFrom: SeveritySource | undefined;
  for (const [source, ratings] of sources) {
    const named = ratings.filter((r): r is FindingSeverity => r !== undefined);
    const defined = named.filter((r) => r !== 'UNDEFINED');
    if (defined.length > 0) return { severity: defined.reduce((a, b) => (compareSeverity(a, b) >= 0 ? a : b)), source };
    if (named.length > 0) undefinedFrom ??= source;
  }
  return undefinedFrom ? { severity: 'UNDEFINED', source: undefinedFrom } : undefined;
}

/** GitHub Advisory Database levels: CRITICAL, HIGH, MODERATE, LOW. */
export function githubSeverity(value: unknown): FindingSeverity | undefined {
  return typeof value === 'string' ? GITHUB_LEVELS.get(value.trim().toUpperCase()) : undefined;
}

/**
 * Debian security tracker urgencies: unimportant, low, medium, high, each possibly followed by `*` or
 * `**` (an urgency the tracker derived rather than the team assigned), and "not yet assigned" or
 * "end-of-life", which say nothing of severity.
 */
export function debianUrgency(value: unknown): FindingSeverity | undefined {
  return typeof value === 'string' ? DEBIAN_URGENCIES.get(value.trim().toLowerCase().replace(/\*+$/, '')) : undefined;
}

/** Ubuntu priorities: negligible, low, medium, high, critical; untriaged says nothing yet. */
export function ubuntuPriority(value: unknown): FindingSeverity | undefined {
  return typeof value === 'string' ? UBUNTU_PRIORITIES.get(value.trim().toLowerCase()) : undefined;
}

const GITHUB_LEVELS = new Map<string, FindingSeverity>([
  ['CRITICAL', 'CRITICAL'],
  ['HIGH', 'HIGH'],
  ['MODERATE', 'MEDIUM'],
  ['MEDIUM', 'MEDIUM'],
  ['LOW', 'LOW'],
]);

const DEBIAN_URGENCIES = new Map<string, FindingSeverity>([
  ['unimportant', 'INFORMATIONAL'],
  ['low', 'LOW'],
  ['medium', 'MEDIUM'],
  ['high', 'HIGH'],
  ['not yet assigned', 'UNDEFINED'],
  ['end-of-life', 'UNDEFINED'],
]);

const UBUNTU_PRIORITIES = new Map<string, FindingSeverity>([
  ['negligible', 'INFORMATIONAL'],
  ['low', 'LOW'],
  ['medium', 'MEDIUM'],
  ['high', 'HIGH'],
  ['critical', 'CRITICAL'],
  ['untriaged', 'UNDEFINED'],
]);
