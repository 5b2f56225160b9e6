/**
 * RPM version ordering: `[epoch:]version[-release]`, the epoch numerically (missing = 0), then version
 * and release each with rpm's `rpmvercmp` segment rules:
 * - the strings are cut into segments of digits or of letters; every other character only separates;
 * - a numeric segment is newer than an alphabetic one; numbers compare as integers, letters as text;
 * - `~` sorts before everything, even the end (`1.0~rc1 < 1.0`);
 * - `^` sorts after the end but before anything else (`1.0 < 1.0^git1 < 1.0.1`);
 * - when all segments are equal, the string with segments left over is newer.
 */
import { compareDigits, compareStrings, isDigit, isLetter, sign } from './digits.js';

interface RpmVersion {
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
}

/** Splits `[epoch:]version[-release]`; the release is what follows the last hyphen. */
export function parseRpmVersion(evr: string): RpmVersion {
  const v = evr.trim();
  const colon = v.indexOf(':');
  const hasEpoch = colon > 0 && /^\d+$/.test(v.slice(0, colon));
  const epoch = hasEpoch ? v.slice(0, colon) : '0';
  const rest = hasEpoch ? v.slice(colon + 1) : v;
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, version: rest, release: '' };
  return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

/** Compares two RPM `[epoch:]version-release` strings. Returns <0, 0 or >0. */
export function compareRpm(a: string, b: string): number {
  const x = parseRpmVersion(a);
  const y = parseRpmVersion(b);
  return sign(compareDigits(x.epoch, y.epoch) || rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release));
}

function isAlnum(c: string | undefined): boolean {
  return isDigit(c) || isLetter(c);
}

/** rpm's segment comparison of one version or release string. Returns -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const inSegment = numeric ? isDigit : isLetter;
    const si = i;
    const sj = j;
    while (inSegment(a[i])) i++;
    while (inSegment(b[j])) j++;
    // b's segment is of the other kind: a numeric segment is newer than an alphabetic one.
    if (j === sj) return numeric ? 1 : -1;
    const sa = a.slice(si, i);
    const sb = b.slice(sj, j);
    const d = numeric ? compareDigits(sa, sb) : compareStrings(sa, sb);
    if (d !== 0) return sign(d);
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}
