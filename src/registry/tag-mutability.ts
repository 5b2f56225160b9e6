import { wildcardMatcher } from '../core/wildcard.js';

/** ECR's tag mutability modes. The *_WITH_EXCLUSION ones come with wildcard filters naming the exceptions. */
export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

export interface TagMutabilitySetting {
  readonly image_tag_mutability: string;
  readonly image_tag_mutability_exclusions: string | null;
}

const matchers = new Map<string, ((tag: string) => boolean)[]>();

/**
 * Whether an existing `tag` may not move in a repository with this setting: every tag under IMMUTABLE;
 * under IMMUTABLE_WITH_EXCLUSION every tag but those a filter matches; under MUTABLE_WITH_EXCLUSION only
 * those a filter matches.
 */
export function isImmutableTag(setting: TagMutabilitySetting, tag: string): boolean {
  switch (setting.image_tag_mutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !matchesExclusion(setting.image_tag_mutability_exclusions, tag);
    case 'MUTABLE_WITH_EXCLUSION':
      return matchesExclusion(setting.image_tag_mutability_exclusions, tag);
    default:
      return false;
  }
}

/** The filters of a setting, as the API shows them. */
export function exclusionFilters(setting: TagMutabilitySetting): string[] {
  return setting.image_tag_mutability_exclusions ? (JSON.parse(setting.image_tag_mutability_exclusions) as string[]) : [];
}

function matchesExclusion(exclusions: string | null, tag: string): boolean {
  if (!exclusions) return false;
  let compiled = matchers.get(exclusions);
  if (!compiled) {
    // Few distinct filter sets exist; keep them compiled, bounded all the same.
    if (matchers.size >= 1000) matchers.clear();
    compiled = (JSON.parse(exclusions) as string[]).map(wildcardMatcher);
    matchers.set(exclusions, compiled);
  }
  return compiled.some((matches) => matches(tag));
}
