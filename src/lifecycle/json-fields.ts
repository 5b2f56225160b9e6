import { MAX_JAVA_INT, policyInvalid, schemaDetail } from './policy-errors.js';

/** A JSON value's type in JSON-schema terms (an integral number is an "integer"). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Returns `value` as an object after the schema checks ECR makes, in its order: the type, the
 * required members, then members the schema does not know. Throws INVALID_PARAMETER.
 */
export function readObject(value: unknown, required: readonly string[], optional: readonly string[]): Record<string, unknown> {
  const type = jsonTypeOf(value);
  if (type !== 'object') throw policyInvalid(schemaDetail.wrongType(type, 'object'));
  const record = value as Record<string, unknown>;
  const missing = required.filter((name) => !Object.hasOwn(record, name));
  if (missing.length > 0) throw policyInvalid(schemaDetail.missing(missing));
  const unknown = Object.keys(record).filter((name) => !required.includes(name) && !optional.includes(name));
  if (unknown.length > 0) throw policyInvalid(schemaDetail.notAllowed(unknown));
  return record;
}

/** Returns a positive integer that fits a Java int; throws INVALID_PARAMETER otherwise. */
export function readPositiveInteger(value: unknown): number {
  const type = jsonTypeOf(value);
  if (type !== 'integer') throw policyInvalid(schemaDetail.wrongType(type, 'integer'));
  const number = value as number;
  if (number < 1) throw policyInvalid(schemaDetail.belowMinimum(1, number));
  if (number > MAX_JAVA_INT) throw policyInvalid(schemaDetail.unmappable());
  return number;
}

/** Returns a string; throws INVALID_PARAMETER otherwise. */
export function readString(value: unknown): string {
  const type = jsonTypeOf(value);
  if (type !== 'string') throw policyInvalid(schemaDetail.wrongType(type, 'string'));
  return value as string;
}

/** Returns one of `values`; throws INVALID_PARAMETER with the enum detail otherwise. */
export function readEnum<T extends string>(value: unknown, values: readonly T[]): T {
  const text = readString(value);
  if (!(values as readonly string[]).includes(text)) throw policyInvalid(schemaDetail.notInEnum(text, values));
  return text as T;
}

/** Returns a list of strings (possibly empty); throws INVALID_PARAMETER otherwise. */
export function readStringList(value: unknown): string[] {
  const type = jsonTypeOf(value);
  if (type !== 'array') throw policyInvalid(schemaDetail.wrongType(type, 'array'));
  return (value as unknown[]).map(readString);
}
