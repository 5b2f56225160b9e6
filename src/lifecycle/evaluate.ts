import { tagSelectionMatcher } from './image-selection.js';
import type { CountSelection, LifecyclePolicy } from './lifecycle-policy.js';

const DAY_MS = 86_400_000;

/** An image as lifecycle evaluation sees it: one manifest, its tags in this repository, its times. */
export interface LifecycleImage {
  readonly digest: string;
  /** Its tags; none for an untagged image. */
  readonly tags: readonly string[];
  /** When it was pushed, epoch ms. */
  readonly pushedAt: number;
  /** When a pull was last recorded, epoch ms; null if never. */
  readonly lastPulledAt: number | null;
  readonly sizeInBytes: number;
}

/**
 * One image a policy expires, with what GetLifecyclePolicyPreview reports for it (imageDigest,
 * imageTags, imagePushedAt, action.type, appliedRulePriority; its storage class is always STANDARD).
 */
export interface LifecycleDecision {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: number;
  readonly sizeInBytes: number;
  readonly action: 'EXPIRE';
  /** The rule that expires it. */
  readonly rulePriority: number;
  readonly description?: string;
}

/**
 * Applies a policy to a repository's images at time `now` (epoch ms) and returns the images it
 * expires, by rule priority, oldest first within a rule. Pure: nothing is deleted here.
 *
 * ECR's evaluation rules ("Lifecycle policy evaluation rules"): rules run in priority order; "an
 * image is expired by exactly one or zero rules"; "an image that matches the tagging requirements of
 * a rule cannot be expired by a rule with a lower priority"; "rules can never mark images that are
 * marked by higher priority rules, but can still identify them as if they haven't been expired" —
 * so a lower rule still counts such images when it keeps its newest N, it only may not expire them.
 * Ties in push time are broken by digest: of two images pushed at the same instant, the one with
 * the greater digest counts as the newer.
 */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: readonly LifecycleImage[], now: number): LifecycleDecision[] {
  const newestFirst = [...images].sort(compareNewestFirst);
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const claimed = new Set<string>();
  const decisions: LifecycleDecision[] = [];
  for (const rule of rules) {
    const selects = tagSelectionMatcher(rule.selection);
    const identified = newestFirst.filter((image) => selects(image.tags));
    const marked = markImages(rule.selection, identified, now).filter((image) => !claimed.has(image.digest));
    for (const image of marked.reverse()) {
      const decision = { digest: image.digest, tags: image.tags, pushedAt: image.pushedAt, sizeInBytes: image.sizeInBytes, action: 'EXPIRE' as const, rulePriority: rule.rulePriority };
      decisions.push(rule.description === undefined ? decision : { ...decision, description: rule.description });
    }
    for (const image of identified) claimed.add(image.digest);
  }
  return decisions;
}

/**
 * The images a rule's count selection marks among those it identified (newest first):
 * imageCountMoreThan "images are sorted from youngest to oldest based on pushed_at_time and then all
 * images greater than the specified count are expired"; sinceImagePushed, those pushed more than N
 * days before `now`; sinceImagePulled, those whose last recorded pull (their push, if never pulled)
 * is more than N days before `now`.
 */
function markImages(selection: CountSelection, identified: readonly LifecycleImage[], now: number): LifecycleImage[] {
  if (selection.countType === 'imageCountMoreThan') return identified.slice(selection.countNumber);
  const limit = selection.countNumber * DAY_MS;
  const since = selection.countType === 'sinceImagePushed'
    ? (image: LifecycleImage) => image.pushedAt
    : (image: LifecycleImage) => image.lastPulledAt ?? image.pushedAt;
  return identified.filter((image) => now - since(image) > limit);
}

function compareNewestFirst(a: LifecycleImage, b: LifecycleImage): number {
  if (a.pushedAt !== b.pushedAt) return b.pushedAt - a.pushedAt;
  return a.digest < b.digest ? 1 : a.digest > b.digest ? -1 : 0;
}
