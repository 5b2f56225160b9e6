/**
 * CVSS v3.0 and v3.1 base scores from a vector string (CVSS v3.1 specification §7.1 and Appendix A).
 * Temporal and environmental metrics may be present in the vector; they are checked and ignored, since
 * the base score is what advisories publish and ECR reports.
 */
import { table } from './table.js';

/** Metric weights of §7.4. PR depends on Scope, so it has one table per scope. */
const AV = table<number>({ N: 0.85, A: 0.62, L: 0.55, P: 0.2 });
const AC = table<number>({ L: 0.77, H: 0.44 });
const PR_UNCHANGED = table<number>({ N: 0.85, L: 0.62, H: 0.27 });
const PR_CHANGED = table<number>({ N: 0.85, L: 0.68, H: 0.5 });
const UI = table<number>({ N: 0.85, R: 0.62 });
const CIA = table<number>({ H: 0.56, L: 0.22, N: 0 });
const SCOPE = new Set(['U', 'C']);

const BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const;
/** The temporal and environmental metrics of §2–3 with their allowed values (X = not defined). */
const OTHER = table<readonly string[]>({
  E: ['X', 'H', 'F', 'P', 'U'],
  RL: ['X', 'U', 'W', 'T', 'O'],
  RC: ['X', 'C', 'R', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'N', 'L', 'H'],
  MI: ['X', 'N', 'L', 'H'],
  MA: ['X', 'N', 'L', 'H'],
});

/**
 * The base score (0.0–10.0) of a `CVSS:3.0/…` or `CVSS:3.1/…` vector; `undefined` when the string is
 * not a valid v3 vector (another version, a missing, repeated, unknown or mistyped metric).
 */
export function cvssV3BaseScore(vector: string): number | undefined {
  const m = parseVector(vector.trim());
  if (!m) return undefined;
  const changed = m.S === 'C';
  const iss = 1 - (1 - CIA.get(m.C)!) * (1 - CIA.get(m.I)!) * (1 - CIA.get(m.A)!);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability = 8.22 * AV.get(m.AV)! * AC.get(m.AC)! * (changed ? PR_CHANGED : PR_UNCHANGED).get(m.PR)! * UI.get(m.UI)!;
  if (impact <= 0) return 0;
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

/**
 * The specification's Roundup (v3.1 Appendix A): the smallest number with one decimal that is equal to
 * or above the input, computed on integers so that float noise (4.000000000000001) does not round up.
 * v3.0 defined the same function without the integer step; v3.1's is used for both.
 */
export function roundUp(value: number): number {
  const scaled = Math.round(value * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

type BaseMetrics = Record<(typeof BASE)[number], string>;

function parseVector(vector: string): BaseMetrics | undefined {
  const [prefix, ...parts] = vector.split('/');
  if (prefix !== 'CVSS:3.0' && prefix !== 'CVSS:3.1') return undefined;
  const seen = new Map<string, string>();
  for (const part of parts) {
    const [key, value, extra] = part.split(':');
    if (key === undefined || value === undefined || extra !== undefined || seen.has(key)) return undefined;
    seen.set(key, value);
  }
  for (const [key, value] of seen) {
    if ((BASE as readonly string[]).includes(key)) continue;
    if (!OTHER.get(key)?.includes(value)) return undefined;
  }
  const valid =
    AV.get(seen.get('AV') ?? '') !== undefined &&
    AC.get(seen.get('AC') ?? '') !== undefined &&
    PR_UNCHANGED.get(seen.get('PR') ?? '') !== undefined &&
    UI.get(seen.get('UI') ?? '') !== undefined &&
    SCOPE.has(seen.get('S') ?? '') &&
    ['C', 'I', 'A'].every((k) => CIA.get(seen.get(k) ?? '') !== undefined);
  return valid ? (Object.fromEntries(BASE.map((k) => [k, seen.get(k)!])) as BaseMetrics) : undefined;
}
