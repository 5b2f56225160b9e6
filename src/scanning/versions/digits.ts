/** Helpers shared by the comparators: numeric runs of any length compared without precision loss. */

/**
 * Compares two runs of ASCII digits as non-negative integers of any size (leading zeros ignored).
 * An empty run counts as 0. Returns <0, 0 or >0.
 */
export function compareDigits(a: string, b: string): number {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stripZeros(run: string): string {
  let i = 0;
  while (i < run.length && run.charCodeAt(i) === 48) i++;
  return run.slice(i);
}

/** Plain code-unit ordering of two strings, as C's strcmp on ASCII. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Maps any comparison result to -1, 0 or 1. */
export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

export function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}
