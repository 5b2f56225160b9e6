/**
 * Debian version ordering, Debian Policy §5.6.12: `[epoch:]upstream_version[-debian_revision]`.
 * The epoch compares numerically; the upstream version and the revision (split at the LAST hyphen)
 * compare with the same string algorithm: alternate non-digit runs (compared character by character,
 * `~` before everything even the end, then the end, then letters, then every other character) and digit
 * runs (compared as integers). A missing revision compares like "0", as dpkg does.
 */
import { compareDigits, isDigit, isLetter, sign } from './digits.js';

interface DebianVersion {
  readonly epoch: string;
  readonly upstream: string;
  readonly revision: string;
}

/** Splits a Debian version; tolerant: anything that is not a valid epoch stays in the upstream part. */
export function parseDpkgVersion(version: string): DebianVersion {
  const v = version.trim();
  const colon = v.indexOf(':');
  const hasEpoch = colon > 0 && /^\d+$/.test(v.slice(0, colon));
  const epoch = hasEpoch ? v.slice(0, colon) : '0';
  const rest = hasEpoch ? v.slice(colon + 1) : v;
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, upstream: rest, revision: '' };
  return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

/** Compares two Debian package versions as `dpkg --compare-versions` does. Returns <0, 0 or >0. */
export function compareDpkg(a: string, b: string): number {
  const x = parseDpkgVersion(a);
  const y = parseDpkgVersion(b);
  return sign(compareDigits(x.epoch, y.epoch) || compareDebianPart(x.upstream, y.upstream) || compareDebianPart(x.revision, y.revision));
}

/** The weight of one character in a non-digit run (§5.6.12); the end of the run (or a digit) weighs 0. */
function weight(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (c === '~') return -1;
  if (isLetter(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareDebianPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit prefix, compared character by character.
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const d = weight(a[i]) - weight(b[j]);
      if (d !== 0) return d;
      i++;
      j++;
    }
    // Digit run, compared numerically.
    const si = i;
    const sj = j;
    while (isDigit(a[i])) i++;
    while (isDigit(b[j])) j++;
    const d = compareDigits(a.slice(si, i), b.slice(sj, j));
    if (d !== 0) return d;
  }
  return 0;
}
