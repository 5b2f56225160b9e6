/**
 * Paths inside an image, normalised as the inventory reports them: relative to the root, no leading
 * `./` or `/`, no `.` or empty segments, `..` resolved (and clamped at the root, as a chroot would).
 */
export function normalisePath(name: string): string {
  const parts: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return parts.join('/');
}

/** The directory holding a normalised path (`''` for the root). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Where a symlink at `linkPath` points, as a normalised path: absolute targets start at the image root. */
export function resolveLinkTarget(linkPath: string, target: string): string {
  return target.startsWith('/') ? normalisePath(target) : normalisePath(`${parentOf(linkPath)}/${target}`);
}

/** Every proper ancestor directory of a normalised path, nearest first (`a/b/c` → `a/b`, `a`, `''`). */
export function* ancestorsOf(path: string): Generator<string> {
  let current = path;
  while (current !== '') {
    current = parentOf(current);
    yield current;
  }
}
