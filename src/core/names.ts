import { RegistryError } from './errors.js';

// ECR's repository name grammar: lowercase components separated by '.', '_', '-' within a
// component and '/' between namespace levels; 2 to 256 characters.
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// OCI distribution-spec tag grammar.
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY.test(name);
}

/** Throws NAME_INVALID with a message that says what the grammar wants. */
export function assertRepositoryName(name: string): void {
  if (isRepositoryName(name)) return;
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  throw new RegistryError(
    'NAME_INVALID',
    `invalid repository name "${shown}": use 2-256 lowercase letters, digits, '.', '_', '-', and '/' between components`,
  );
}

export function isTag(tag: string): boolean {
  return TAG.test(tag);
}

export function assertTag(tag: string): void {
  if (isTag(tag)) return;
  throw new RegistryError('TAG_INVALID', `invalid tag "${tag.slice(0, 140)}": use up to 128 letters, digits, '_', '.', '-', not starting with '.' or '-'`);
}
