import { RegistryError } from '../core/errors.js';

/** The largest lifecycle policy text, in characters (the service model's LifecyclePolicyText max). */
export const MAX_POLICY_TEXT_LENGTH = 30_720;
/** The smallest lifecycle policy text, in characters (the service model's LifecyclePolicyText min). */
export const MIN_POLICY_TEXT_LENGTH = 100;
/** ECR's quota "Rules per lifecycle policy" (not adjustable). */
export const MAX_RULES = 50;
/** ECR maps numbers into Java ints; a larger one cannot be mapped. */
export const MAX_JAVA_INT = 2_147_483_647;

/**
 * A policy ECR would refuse, wrapped as ECR wraps it (InvalidParameterException):
 * `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy
 * validation failure: <detail>'`.
 */
export function policyInvalid(detail: string): RegistryError {
  return new RegistryError(
    'INVALID_PARAMETER',
    `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'`,
  );
}

/**
 * A text outside the service model's length bounds. AWS checks member constraints before the
 * operation runs and answers ValidationException in its usual wording, so this is VALIDATION.
 */
export function policyLengthInvalid(text: string, length: number): RegistryError {
  const bound = length < MIN_POLICY_TEXT_LENGTH
    ? `greater than or equal to ${MIN_POLICY_TEXT_LENGTH}`
    : `less than or equal to ${MAX_POLICY_TEXT_LENGTH}`;
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return new RegistryError(
    'VALIDATION',
    `1 validation error detected: Value '${shown}' at 'lifecyclePolicyText' failed to satisfy constraint: Member must have length ${bound}`,
  );
}

/**
 * The details ECR's schema validator gives (its wording, from the JSON-schema library ECR uses;
 * names are listed sorted, as JSON).
 */
export const schemaDetail = {
  unmappable: (): string => 'Could not map policyString into LifecyclePolicy.',
  missing: (names: readonly string[]): string => `object has missing required properties (${JSON.stringify([...names].sort())})`,
  notAllowed: (names: readonly string[]): string =>
    `object instance has properties which are not allowed by the schema: ${JSON.stringify([...names].sort())}`,
  wrongType: (found: string, allowed: string): string =>
    `instance type (${found}) does not match any allowed primitive type (allowed: ${JSON.stringify([allowed])})`,
  notInEnum: (value: string, values: readonly string[]): string =>
    `instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(values)})`,
  belowMinimum: (minimum: number, found: number): string =>
    `numeric instance is lower than the required minimum (minimum: ${minimum}, found: ${found})`,
  tooFewItems: (minimum: number, found: number): string =>
    `array is too short: must have at least ${minimum} elements but instance has ${found} elements`,
  tooManyItems: (maximum: number, found: number): string =>
    `array is too long: must have at most ${maximum} elements but instance has ${found} elements`,
  /** ECR's answer when a selection or an action fits none of its shapes (one per count type, one per action type). */
  noShapeMatched: (shapes: number): string => `instance failed to match exactly one schema (matched 0 out of ${shapes})`,
};

/** The number of selection shapes in ECR's schema (one per count type, archiving's included). */
export const SELECTION_SHAPES = 4;
/** The number of action shapes in ECR's schema (expire, transition). */
export const ACTION_SHAPES = 2;

/** Berth refuses ECR's archive storage class outright rather than accepting rules it cannot run. */
export function archivingRefused(what: string): RegistryError {
  return policyInvalid(`Berth does not implement the archive storage class, so ${what} is not supported; use an "expire" action on standard images.`);
}
