/**
 * Alpine (apk-tools) version ordering: `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`,
 * e.g. `1.2.3_rc1-r0`, `1.1.1t-r2`, `2.40.0_git20230401-r1`.
 *
 * A version is read as a stream of tokens and two streams are compared token by token:
 * - numbers compare numerically, except a component after the first that begins with `0`, which
 *   compares as a decimal fraction (`1.01 < 1.1`), as apk does;
 * - suffixes rank `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`;
 * - when one stream ends or changes kind before the other, the one going on is newer, unless what it
 *   goes on with is a pre-release suffix; otherwise a further number beats a letter, which beats a
 *   post-release suffix, which beats a revision (`1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1 < 1.0a < 1.0.1`);
 * - the `~hash` of a development snapshot does not order.
 * A version that breaks the grammar is compared up to the break, then by the rest as plain text.
 */
import { compareDigits, compareStrings, isDigit, sign } from './digits.js';

const PRE_RELEASE = ['alpha', 'beta', 'pre', 'rc'];
const POST_RELEASE = ['cvs', 'svn', 'git', 'hg', 'p'];

/** Token kinds, ordered as apk orders a kind change: a larger kind at the same place is the OLDER version. */
const Kind = { Digit: 1, Letter: 2, Suffix: 3, SuffixNumber: 4, Revision: 5, End: 6, Invalid: 7 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Token {
  readonly kind: Kind;
  /** Digits, the letter, the suffix name or the unparsed rest (Invalid). */
  readonly text: string;
  /** A number after the first that starts with 0: compared as a fraction. */
  readonly fraction?: boolean;
}

/** Compares two Alpine package versions. Returns <0, 0 or >0. */
export function compareApk(a: string, b: string): number {
  const x = tokenizeApk(a.trim());
  const y = tokenizeApk(b.trim());
  for (let i = 0; ; i++) {
    const s = x[i] ?? END;
    const t = y[i] ?? END;
    if (s.kind === t.kind) {
      if (s.kind === Kind.End) return 0;
      const d = compareSameKind(s, t);
      if (d !== 0) return sign(d);
      continue;
    }
    if (s.kind === Kind.Invalid || t.kind === Kind.Invalid) return sign(compareStrings(s.text, t.text));
    // A kind change: the side that goes on with a pre-release suffix is older; else the smaller kind is newer.
    if (isPreRelease(s)) return -1;
    if (isPreRelease(t)) return 1;
    return s.kind < t.kind ? 1 : -1;
  }
}

const END: Token = { kind: Kind.End, text: '' };

function isPreRelease(t: Token): boolean {
  return t.kind === Kind.Suffix && PRE_RELEASE.includes(t.text);
}

function suffixRank(name: string): number {
  const pre = PRE_RELEASE.indexOf(name);
  if (pre >= 0) return pre - PRE_RELEASE.length;
  return POST_RELEASE.indexOf(name) + 1;
}

function compareSameKind(s: Token, t: Token): number {
  switch (s.kind) {
    case Kind.Digit:
      return s.fraction || t.fraction ? compareStrings(s.text, t.text) : compareDigits(s.text, t.text);
    case Kind.Suffix:
      return suffixRank(s.text) - suffixRank(t.text);
    case Kind.Letter:
    case Kind.Invalid:
      return compareStrings(s.text, t.text);
    default:
      return compareDigits(s.text, t.text);
  }
}

/** Splits an apk version into tokens; stops with an Invalid token holding the rest at the first break. */
export function tokenizeApk(v: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const digits = (): string => {
    const start = i;
    while (isDigit(v[i])) i++;
    return v.slice(start, i);
  };
  if (!isDigit(v[0])) return v === '' ? [] : [{ kind: Kind.Invalid, text: v }];
  tokens.push({ kind: Kind.Digit, text: digits() });
  let last: Kind = Kind.Digit;
  while (i < v.length) {
    const c = v[i]!;
    if (c === '.' && last === Kind.Digit && isDigit(v[i + 1])) {
      i++;
      const text = digits();
      tokens.push({ kind: Kind.Digit, text, fraction: text.startsWith('0') });
    } else if (c >= 'a' && c <= 'z' && last === Kind.Digit && !isLowerLetter(v[i + 1])) {
      tokens.push({ kind: Kind.Letter, text: c });
      i++;
      last = Kind.Letter;
    } else if (c === '_' && last <= Kind.SuffixNumber && suffixAt(v, i + 1) !== undefined) {
      const name = suffixAt(v, i + 1)!;
      i += 1 + name.length;
      tokens.push({ kind: Kind.Suffix, text: name });
      if (isDigit(v[i])) tokens.push({ kind: Kind.SuffixNumber, text: digits() });
      last = Kind.SuffixNumber;
    } else if (c === '~' && last <= Kind.SuffixNumber && /^[0-9a-f]+/.test(v.slice(i + 1))) {
      i++;
      while (/[0-9a-f]/.test(v[i] ?? '')) i++;
      last = Kind.SuffixNumber;
    } else if (c === '-' && v[i + 1] === 'r' && isDigit(v[i + 2]) && last !== Kind.Revision) {
      i += 2;
      tokens.push({ kind: Kind.Revision, text: digits() });
      last = Kind.Revision;
    } else {
      tokens.push({ kind: Kind.Invalid, text: v.slice(i) });
      break;
    }
  }
  return tokens;
}

function isLowerLetter(c: string | undefined): boolean {
  return c !== undefined && c >= 'a' && c <= 'z';
}

/** The known suffix name that starts at `i` and is followed by a digit, `_`, `-`, `~` or the end. */
function suffixAt(v: string, i: number): string | undefined {
  const match = /^[a-z]+/.exec(v.slice(i));
  if (!match) return undefined;
  const name = match[0];
  return PRE_RELEASE.includes(name) || POST_RELEASE.includes(name) ? name : undefined;
}
