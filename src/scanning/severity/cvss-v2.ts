/**
 * CVSS v2 base scores from a vector string (CVSS v2 Complete Guide §3.2.1), as NVD still lists for
 * older CVEs: `AV:N/AC:L/Au:N/C:P/I:P/A:P`, optionally in parentheses or after `CVSS:2.0/`. Temporal and
 * environmental metrics may follow; they are checked and ignored.
 */
import { table } from './table.js';

const AV = table<number>({ L: 0.395, A: 0.646, N: 1.0 });
const AC = table<number>({ H: 0.35, M: 0.61, L: 0.71 });
const AU = table<number>({ M: 0.45, S: 0.56, N: 0.704 });
const CIA = table<number>({ N: 0, P: 0.275, C: 0.66 });

const BASE = ['AV', 'AC', 'Au', 'C', 'I', 'A'] as const;
const OTHER = table<readonly string[]>({
  E: ['U', 'POC', 'F', 'H', 'ND'],
  RL: ['OF', 'TF', 'W', 'U', 'ND'],
  RC: ['UC', 'UR', 'C', 'ND'],
  CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
  TD: ['N', 'L', 'M', 'H', 'ND'],
  CR: ['L', 'M', 'H', 'ND'],
  IR: ['L', 'M', 'H', 'ND'],
  AR: ['L', 'M', 'H', 'ND'],
});

/** The base score (0.0–10.0) of a CVSS v2 vector; `undefined` when it is not a valid v2 vector. */
export function cvssV2BaseScore(vector: string): number | undefined {
  let v = vector.trim();
  if (v.startsWith('(') && v.endsWith(')')) v = v.slice(1, -1);
  if (v.startsWith('CVSS:2.0/')) v = v.slice('CVSS:2.0/'.length);
  const seen = new Map<string, string>();
  for (const part of v.split('/')) {
    const [key, value, extra] = part.split(':');
    if (key === undefined || value === undefined || extra !== undefined || seen.has(key)) return undefined;
    if (!(BASE as readonly string[]).includes(key) && !OTHER.get(key)?.includes(value)) return undefined;
    seen.set(key, value);
  }
  const av = AV.get(seen.get('AV') ?? '');
  const ac = AC.get(seen.get('AC') ?? '');
  const au = AU.get(seen.get('Au') ?? '');
  const [c, i, a] = ['C', 'I', 'A'].map((k) => CIA.get(seen.get(k) ?? ''));
  if (av === undefined || ac === undefined || au === undefined || c === undefined || i === undefined || a === undefined) return undefined;
  const impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
  const exploitability = 20 * av * ac * au;
  const f = impact === 0 ? 0 : 1.176;
  return roundHalfUp((0.6 * impact + 0.4 * exploitability - 1.5) * f);
}

/** round_to_1_decimal of the guide, half up, on integers so float noise cannot tip a .x5. */
function roundHalfUp(value: number): number {
  const scaled = Math.round(value * 100000);
  return Math.floor((scaled + 5000) / 10000) / 10;
}
