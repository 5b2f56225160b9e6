/**
 * ECR's wildcard filters (tag mutability exclusions, lifecycle tag patterns): `*` matches any run of
 * characters, including none; everything else matches itself, case-sensitively; the whole tag must match.
 */
export function wildcardMatcher(pattern: string): (text: string) => boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (text) => regex.test(text);
}
