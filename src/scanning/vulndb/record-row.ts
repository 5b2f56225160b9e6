import type { VulnPackageKey, VulnRecordRow } from '../../metadata/vulndb.repository.js';

/** A record to store, or why the bytes are not one. */
export type ParsedRecord = { readonly row: VulnRecordRow } | { readonly invalid: string };

/**
 * Reads one OSV record (https://ossf.github.io/osv-schema/) from JSON bytes: it needs a string `id`,
 * a `modified` time and an `affected` list; everything else is kept as it is for matching and findings.
 */
export function parseOsvRecord(data: Buffer): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    return { invalid: `invalid JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) return { invalid: 'not an OSV record (not a JSON object)' };
  const { id, modified, withdrawn, affected } = value;
  if (typeof id !== 'string' || id === '') return { invalid: 'not an OSV record (no id)' };
  if (typeof modified !== 'string' || Number.isNaN(Date.parse(modified))) return { invalid: `${id}: no valid "modified" time` };
  if (!Array.isArray(affected)) return { invalid: `${id}: no "affected" list` };
  return {
    row: {
      id,
      modified,
      withdrawn: typeof withdrawn === 'string' ? withdrawn : null,
      record: JSON.stringify(value),
      packages: affected.flatMap(packageOf),
    },
  };
}

function packageOf(affected: unknown): VulnPackageKey[] {
  if (!isObject(affected) || !isObject(affected.package)) return [];
  const { ecosystem, name } = affected.package;
  return typeof ecosystem === 'string' && typeof name === 'string' && ecosystem !== '' && name !== '' ? [{ ecosystem, name }] : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
