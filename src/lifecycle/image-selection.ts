import type { TagSelection } from './lifecycle-policy.js';
import { patternsMatcher, prefixesMatcher, type TagsPredicate } from './tag-patterns.js';

/**
 * The images a rule's tag selection takes: `any` every image, `untagged` the images with no tag,
 * `tagged` the tagged images whose tags satisfy all the prefixes (or all the patterns).
 */
export function tagSelectionMatcher(selection: TagSelection): TagsPredicate {
  if (selection.tagStatus === 'any') return () => true;
  if (selection.tagStatus === 'untagged') return (tags) => tags.length === 0;
  const matches = 'tagPrefixList' in selection ? prefixesMatcher(selection.tagPrefixList) : patternsMatcher(selection.tagPatternList);
  return (tags) => tags.length > 0 && matches(tags);
}
