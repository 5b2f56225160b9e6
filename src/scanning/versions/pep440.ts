/**
 * Python package version ordering, PEP 440 (as the `packaging` library applies it):
 * `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
 * - Normalisation: case-insensitive, a leading `v`, `_`/`-`/`.` separators (or none) around the pre,
 *   post and dev parts, the spellings alpha/beta/c/pre/preview (= a, b, rc, rc, rc), rev/r (= post),
 *   the implicit post release `1.0-1`, and omitted numbers (`1.0a` = `1.0a0`).
 * - The release compares with implicit zeros (`1.0 == 1.0.0`).
 * - Within a release: `.devN` < `aN` < `bN` < `rcN` < the release < `.postN`; a dev release of a pre
 *   or post release sorts just before it (`1.0a1.dev1 < 1.0a1`).
 * - A local version (`+ubuntu1`) is newer than the same version without one; its segments compare
 *   numbers numerically and above text.
 * A string that is not a PEP 440 version sorts before every valid one; two such strings compare by
 * their digit and letter runs.
 */
import { compareDigits, compareStrings, isDigit, sign } from './digits.js';

const PATTERN = new RegExp(
  '^v?(?:(?<epoch>\\d+)!)?(?<release>\\d+(?:\\.\\d+)*)' +
    '(?:[-_.]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preN>\\d+)?)?' +
    '(?:-(?<postImplicit>\\d+)|[-_.]?(?<postL>post|rev|r)[-_.]?(?<postN>\\d+)?)?' +
    '(?:[-_.]?(?<devL>dev)[-_.]?(?<devN>\\d+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
);

/** A parsed version; `undefined` parts are absent. Numbers stay digit strings (no size limit). */
export interface Pep440Version {
  readonly epoch: string;
  readonly release: readonly string[];
  readonly pre?: { readonly rank: number; readonly n: string };
  readonly post?: string;
  readonly dev?: string;
  readonly local?: readonly string[];
}

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

/** Parses a PEP 440 version after normalisation; `undefined` when it is not one. */
export function parsePep440(version: string): Pep440Version | undefined {
  const g = PATTERN.exec(version.trim().toLowerCase())?.groups;
  if (!g) return undefined;
  const post = g.postImplicit ?? (g.postL !== undefined ? (g.postN ?? '0') : undefined);
  return {
    epoch: g.epoch ?? '0',
    release: g.release!.split('.'),
    ...(g.preL !== undefined ? { pre: { rank: PRE_RANK[g.preL]!, n: g.preN ?? '0' } } : {}),
    ...(post !== undefined ? { post } : {}),
    ...(g.devL !== undefined ? { dev: g.devN ?? '0' } : {}),
    ...(g.local !== undefined ? { local: g.local.split(/[-_.]/) } : {}),
  };
}

/** Compares two Python package versions. Returns <0, 0 or >0. */
export function comparePep440(a: string, b: string): number {
  const x = parsePep440(a);
  const y = parsePep440(b);
  if (!x || !y) return x ? 1 : y ? -1 : sign(compareLegacy(a.trim().toLowerCase(), b.trim().toLowerCase()));
  return sign(
    compareDigits(x.epoch, y.epoch) ||
      compareRelease(x.release, y.release) ||
      compareKeys(preKey(x), preKey(y)) ||
      compareKeys(optionalKey(x.post, -1), optionalKey(y.post, -1)) ||
      compareKeys(optionalKey(x.dev, 1), optionalKey(y.dev, 1)) ||
      compareLocal(x.local, y.local),
  );
}

function compareRelease(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (d !== 0) return d;
  }
  return 0;
}

/** A sort key: a bucket (-1 before every value, 0 with a value, 1 after every value), then digit strings. */
interface Key {
  readonly bucket: number;
  readonly digits: readonly string[];
}

/** A bare `.devN` release comes before every pre-release of it; no pre-release comes after them all. */
function preKey(v: Pep440Version): Key {
  if (v.pre) return { bucket: 0, digits: [String(v.pre.rank), v.pre.n] };
  return { bucket: v.post === undefined && v.dev !== undefined ? -1 : 1, digits: [] };
}

/** A number that may be absent; absent sorts in bucket `absent` (-1 first, 1 last). */
function optionalKey(n: string | undefined, absent: number): Key {
  return n === undefined ? { bucket: absent, digits: [] } : { bucket: 0, digits: [n] };
}

function compareKeys(a: Key, b: Key): number {
  if (a.bucket !== b.bucket) return a.bucket - b.bucket;
  for (let i = 0; i < Math.max(a.digits.length, b.digits.length); i++) {
    const d = compareDigits(a.digits[i] ?? '', b.digits[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** Local segments: numbers above text, numbers as integers; no local version is the oldest. */
function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const s = a[i];
    const t = b[i];
    if (s === undefined || t === undefined) return s === undefined ? -1 : 1;
    const ns = /^\d+$/.test(s);
    const nt = /^\d+$/.test(t);
    const d = ns && nt ? compareDigits(s, t) : ns !== nt ? (ns ? 1 : -1) : compareStrings(s, t);
    if (d !== 0) return d;
  }
  return 0;
}

/** Strings that are not PEP 440: digit runs as integers, other runs as text, digits above text. */
function compareLegacy(a: string, b: string): number {
  const sa = a.match(/\d+|[a-z]+/g) ?? [];
  const sb = b.match(/\d+|[a-z]+/g) ?? [];
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const s = sa[i];
    const t = sb[i];
    if (s === undefined || t === undefined) return s === undefined ? -1 : 1;
    const ns = isDigit(s[0]);
    const nt = isDigit(t[0]);
    const d = ns && nt ? compareDigits(s, t) : ns !== nt ? (ns ? 1 : -1) : compareStrings(s, t);
    if (d !== 0) return d;
  }
  return compareStrings(a, b);
}
