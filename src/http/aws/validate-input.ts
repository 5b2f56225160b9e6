import type { Infer, Schema } from '../../contracts/wire-schema.js';
import { RegistryError } from '../../core/errors.js';

/**
 * Checks a parsed JSON input against its schema and returns it typed. A value of the wrong JSON
 * type is REQUEST_MALFORMED (SerializationException); broken constraints are VALIDATION, with AWS's
 * message ("2 validation errors detected: Value 'a' at 'repositoryName' failed to satisfy
 * constraint: Member must have length greater than or equal to 2; …"). Unknown members are ignored,
 * as AWS ignores them.
 */
export function validateInput<S extends Schema>(schema: S, value: unknown): Infer<S> {
  const violations: string[] = [];
  check(schema, value ?? {}, '', violations);
  if (violations.length > 0) {
    const count = `${violations.length} validation error${violations.length > 1 ? 's' : ''} detected: `;
    throw new RegistryError('VALIDATION', count + violations.join('; '));
  }
  return (value ?? {}) as Infer<S>;
}

function check(schema: Schema, value: unknown, path: string, violations: string[]): void {
  const fail = (constraint: string): void => void violations.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') throw wrongType('a string', path);
      if (schema.min !== undefined && value.length < schema.min) fail(`have length greater than or equal to ${schema.min}`);
      if (schema.max !== undefined && value.length > schema.max) fail(`have length less than or equal to ${schema.max}`);
      if (schema.pattern !== undefined && !new RegExp(`^(?:${schema.pattern})$`).test(value)) fail(`satisfy regular expression pattern: ${schema.pattern}`);
      if (schema.enum !== undefined && !schema.enum.includes(value)) fail(`satisfy enum value set: [${schema.enum.join(', ')}]`);
      return;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrongType('an integer', path);
      if (schema.min !== undefined && value < schema.min) fail(`have value greater than or equal to ${schema.min}`);
      if (schema.max !== undefined && value > schema.max) fail(`have value less than or equal to ${schema.max}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType('true or false', path);
      return;
    case 'list':
      if (!Array.isArray(value)) throw wrongType('a list', path);
      if (schema.min !== undefined && value.length < schema.min) fail(`have length greater than or equal to ${schema.min}`);
      if (schema.max !== undefined && value.length > schema.max) fail(`have length less than or equal to ${schema.max}`);
      value.forEach((item, i) => {
        if (item === null) violations.push(`Value null at '${path}.${i + 1}.member' failed to satisfy constraint: Member must not be null`);
        else check(schema.member, item, `${path}.${i + 1}.member`, violations);
      });
      return;
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType('an object', path || 'the request body');
      const record = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(schema.members)) {
        const memberPath = path ? `${path}.${name}` : name;
        const memberValue = record[name];
        if (memberValue === undefined || memberValue === null) {
          if (schema.required?.includes(name)) violations.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
          delete record[name];
          continue;
        }
        check(member, memberValue, memberPath, violations);
      }
      return;
    }
  }
}

function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 200 ? `${value.slice(0, 200)}…` : value}'`;
  if (Array.isArray(value)) return `'[${value.slice(0, 10).map((v) => (typeof v === 'object' ? '…' : String(v))).join(', ')}]'`;
  return `'${String(value)}'`;
}

function wrongType(expected: string, path: string): RegistryError {
  return new RegistryError('REQUEST_MALFORMED', `Expected ${expected} at '${path}'`);
}
