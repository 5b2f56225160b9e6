import { wildcardMatcher } from '../core/wildcard.js';

/**
 * The most `*` a tagPatternList entry may hold. ECR: "There is a maximum limit of four wildcards (*)
 * per string. For example, ["*test*1*2*3", "test*1*2*3*"] is valid but ["test*1*2*3*4*5*6"] is invalid."
 */
export const MAX_PATTERN_WILDCARDS = 4;

/** The number of `*` in a tag pattern. */
export function countWildcards(pattern: string): number {
  let count = 0;
  for (const char of pattern) if (char === '*') count++;
  return count;
}

/** Tests an image's tags; an untagged image has none. */
export type TagsPredicate = (tags: readonly string[]) => boolean;

/**
 * tagPrefixList: ECR's "an image is successfully matched if *all* of the tags in the tagPrefixList
 * value are matched against any of the image's tags" — every prefix must begin at least one tag
 * (not necessarily the same one). Case-sensitive, as tags are.
 */
export function prefixesMatcher(prefixes: readonly string[]): TagsPredicate {
  return (tags) => prefixes.every((prefix) => tags.some((tag) => tag.startsWith(prefix)));
}

/**
 * tagPatternList: "If you specify multiple tags, only the images with all specified tags are
 * selected" — every pattern must match at least one tag, whole. `*` matches any run of characters,
 * including none; everything else matches itself, case-sensitively.
 */
export function patternsMatcher(patterns: readonly string[]): TagsPredicate {
  const matchers = patterns.map(wildcardMatcher);
  return (tags) => matchers.every((matches) => tags.some(matches));
}
