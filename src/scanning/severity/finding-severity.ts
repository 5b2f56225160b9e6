/** ECR's finding severities (the `FindingSeverity` enum of the ECR API) and how a score maps to one. */

export type FindingSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED';

/** Every severity, most severe first. */
export const FINDING_SEVERITIES: readonly FindingSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

/** Orders severities: >0 when a is more severe than b. UNDEFINED ranks below INFORMATIONAL. */
export function compareSeverity(a: FindingSeverity, b: FindingSeverity): number {
  return FINDING_SEVERITIES.indexOf(b) - FINDING_SEVERITIES.indexOf(a);
}

/**
 * The qualitative rating of a CVSS v3.x (or v4.0) base score, NVD's ranges (CVSS v3.1 specification
 * §5): 9.0–10.0 CRITICAL, 7.0–8.9 HIGH, 4.0–6.9 MEDIUM, 0.1–3.9 LOW, and 0.0 (the specification's "None")
 * INFORMATIONAL. A value that is not a score (NaN, below 0, above 10) is UNDEFINED.
 */
export function severityOfScore(score: number): FindingSeverity {
  if (!Number.isFinite(score) || score < 0 || score > 10) return 'UNDEFINED';
  if (score === 0) return 'INFORMATIONAL';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

/**
 * The rating of a CVSS v2 base score, NVD's v2 ranges: 7.0–10.0 HIGH, 4.0–6.9 MEDIUM, 0.1–3.9 LOW (v2 has
 * no critical band), 0.0 INFORMATIONAL as for v3.
 */
export function severityOfCvssV2Score(score: number): FindingSeverity {
  const v3 = severityOfScore(score);
  return v3 === 'CRITICAL' ? 'HIGH' : v3;
}
