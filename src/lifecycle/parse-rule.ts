import type { CountSelection, CountType, LifecycleRule, LifecycleSelection, TagSelection, TagStatus } from './lifecycle-policy.js';
import { readEnum, readObject, readPositiveInteger, readString, readStringList } from './json-fields.js';
import { ACTION_SHAPES, archivingRefused, policyInvalid, schemaDetail, SELECTION_SHAPES } from './policy-errors.js';
import { countWildcards, MAX_PATTERN_WILDCARDS } from './tag-patterns.js';

const TAG_STATUSES: readonly TagStatus[] = ['tagged', 'untagged', 'any'];
const COUNT_TYPES: readonly string[] = ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled'] satisfies CountType[];

/** Validates one entry of `rules`; throws INVALID_PARAMETER with ECR's wording. */
export function parseRule(value: unknown): LifecycleRule {
  const rule = readObject(value, ['action', 'rulePriority', 'selection'], ['description']);
  const rulePriority = readPositiveInteger(rule.rulePriority);
  const description = rule.description === undefined ? undefined : readString(rule.description);
  checkAction(rule.action);
  const selection = parseSelection(rule.selection);
  return description === undefined
    ? { rulePriority, selection, action: { type: 'expire' } }
    : { rulePriority, description, selection, action: { type: 'expire' } };
}

/** The only action Berth runs is `{"type": "expire"}`; ECR's archive transition is refused. */
function checkAction(value: unknown): void {
  const action = readObject(value, ['type'], ['targetStorageClass']);
  const type = readEnum(action.type, ['expire', 'transition']);
  if (type === 'transition') throw archivingRefused('the "transition" action');
  if ('targetStorageClass' in action) {
    // ECR refuses a null member the same way it refuses a misshapen action (seen for targetStorageClass: null).
    if (action.targetStorageClass === null) throw policyInvalid(schemaDetail.noShapeMatched(ACTION_SHAPES));
    throw archivingRefused('"targetStorageClass"');
  }
}

function parseSelection(value: unknown): LifecycleSelection {
  const selection = readObject(value, ['countNumber', 'countType', 'tagStatus'], ['countUnit', 'storageClass', 'tagPatternList', 'tagPrefixList']);
  const tagStatus = readEnum(selection.tagStatus, TAG_STATUSES);
  const count = parseCountSelection(selection);
  return { ...parseTagSelection(tagStatus, selection), ...count };
}

function parseCountSelection(selection: Record<string, unknown>): CountSelection {
  const countType = readString(selection.countType);
  if (countType === 'sinceImageTransitioned') throw archivingRefused('countType "sinceImageTransitioned"');
  if ('storageClass' in selection) {
    const storageClass = readEnum(selection.storageClass, ['standard', 'archive']);
    if (storageClass === 'archive') throw archivingRefused('selecting storageClass "archive"');
  }
  // ECR's schema has one selection shape per count type: an unknown count type, a countUnit with
  // imageCountMoreThan, or none (or null) with the day counts fits none of them.
  if (!COUNT_TYPES.includes(countType)) throw policyInvalid(schemaDetail.noShapeMatched(SELECTION_SHAPES));
  if (countType === 'imageCountMoreThan') {
    if ('countUnit' in selection) throw policyInvalid(schemaDetail.noShapeMatched(SELECTION_SHAPES));
    return { countType, countNumber: readPositiveInteger(selection.countNumber) };
  }
  if (selection.countUnit === undefined || selection.countUnit === null) throw policyInvalid(schemaDetail.noShapeMatched(SELECTION_SHAPES));
  const countUnit = readEnum(selection.countUnit, ['days']);
  return { countType: countType as 'sinceImagePushed' | 'sinceImagePulled', countUnit, countNumber: readPositiveInteger(selection.countNumber) };
}

/**
 * tagPrefixList and tagPatternList: only with `tagged`, which needs exactly one of them, non-empty.
 * ECR: "If you specify tagged, then you must also specify a tagPrefixList value or a tagPatternList
 * value. If you specify untagged, then you must omit both"; "A lifecycle policy rule may specify
 * either tagPatternList or tagPrefixList, but not both."
 */
function parseTagSelection(tagStatus: TagStatus, selection: Record<string, unknown>): TagSelection {
  const prefixes = 'tagPrefixList' in selection ? readStringList(selection.tagPrefixList) : undefined;
  const patterns = 'tagPatternList' in selection ? readStringList(selection.tagPatternList) : undefined;
  if (tagStatus !== 'tagged') {
    const given = prefixes !== undefined ? 'tagPrefixList' : patterns !== undefined ? 'tagPatternList' : undefined;
    if (given !== undefined) throw policyInvalid(`Cannot specify ${given} when tagStatus=${tagStatus.toUpperCase()}.`);
    return { tagStatus };
  }
  if (prefixes !== undefined && patterns !== undefined) {
    throw policyInvalid('A rule may specify either tagPrefixList or tagPatternList, but not both.');
  }
  if (prefixes !== undefined && prefixes.length > 0) return { tagStatus, tagPrefixList: prefixes };
  if (patterns === undefined || patterns.length === 0) throw policyInvalid('Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
  for (const pattern of patterns) {
    const wildcards = countWildcards(pattern);
    if (wildcards > MAX_PATTERN_WILDCARDS) {
      throw policyInvalid(`Invalid tag pattern ${JSON.stringify(pattern)}: a pattern may contain at most ${MAX_PATTERN_WILDCARDS} wildcards (*), it has ${wildcards}.`);
    }
  }
  return { tagStatus, tagPatternList: patterns };
}
