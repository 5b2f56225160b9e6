import type { Db } from './metadata.js';
import { findRegistrySetting, putRegistrySetting } from './registry-settings.repository.js';

/** The registry setting that holds the vulnerability database's state (VulnDbState as JSON). */
const STATE_SETTING = 'vulndb';
/** Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const ROWS_PER_STATEMENT = 500;

/** A package an OSV record affects, as its `affected[].package` names it. */
export interface VulnPackageKey {
  readonly ecosystem: string;
  readonly name: string;
}

/** One OSV record to store: its identity, its JSON text and the packages it affects. */
export interface VulnRecordRow {
  readonly id: string;
  /** OSV's `modified` (RFC 3339). */
  readonly modified: string;
  readonly withdrawn: string | null;
  /** The record as JSON text. */
  readonly record: string;
  /** Duplicates are fine (OSV lists a package once per affected range); they are stored once. */
  readonly packages: readonly VulnPackageKey[];
}

export interface VulnUpsertCounts {
  /** Records that were not stored yet. */
  added: number;
  /** Stored records replaced by a newer `modified`, with their packages. */
  updated: number;
  /** Records stored with the same or a newer `modified`: left as they are. */
  unchanged: number;
}

/** What `berth vulndb import` last did. */
export interface VulnImportSummary {
  readonly source: string;
  readonly records: number;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly skipped: number;
}

/** The vulnerability database as a whole. */
export interface VulnDbState {
  /** Increases with every import that changed a record (so scans know to match again); 0 before any. */
  readonly generation: number;
  /** When the last import ended (epoch milliseconds); null: never imported. */
  readonly importedAt: number | null;
  /** Records stored after the last import. */
  readonly records: number;
  readonly lastImport: VulnImportSummary | null;
}

/**
 * The name under which a package is stored and looked up: PyPI names PEP 503-normalised (lower-case,
 * runs of `-`, `_` and `.` as one `-`), since PyPI treats `PyJWT`, `pyjwt` and `py_jwt` as one project;
 * every other ecosystem's names as they are.
 */
export function vulnPackageName(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

/**
 * Stores a batch of records (ids distinct within the batch; call inside a transaction). A record not
 * stored yet is added; a stored one is replaced, packages included, only when the new `modified` is
 * later; otherwise it stays. Changed records get `generation`.
 */
export async function upsertVulnRecords(db: Db, rows: readonly VulnRecordRow[], generation: number): Promise<VulnUpsertCounts> {
  const stored = new Map<string, string>();
  for (const ids of chunks(rows.map((row) => row.id), ROWS_PER_STATEMENT)) {
    const found = await db.selectFrom('vuln_records').select(['id', 'modified']).where('id', 'in', ids).execute();
    for (const row of found) stored.set(row.id, row.modified);
  }
  const added = rows.filter((row) => !stored.has(row.id));
  const updated = rows.filter((row) => {
    const modified = stored.get(row.id);
    return modified !== undefined && compareOsvTimes(row.modified, modified) > 0;
  });
  for (const ids of chunks(updated.map((row) => row.id), ROWS_PER_STATEMENT)) {
    await db.deleteFrom('vuln_packages').where('record_id', 'in', ids).execute();
    await db.deleteFrom('vuln_records').where('id', 'in', ids).execute();
  }
  const written = [...added, ...updated];
  for (const batch of chunks(written, ROWS_PER_STATEMENT)) {
    await db
      .insertInto('vuln_records')
      .values(batch.map((row) => ({ id: row.id, modified: row.modified, withdrawn: row.withdrawn, record: row.record, generation })))
      .execute();
  }
  for (const batch of chunks(written.flatMap(packageRows), ROWS_PER_STATEMENT)) await db.insertInto('vuln_packages').values(batch).execute();
  return { added: added.length, updated: updated.length, unchanged: rows.length - added.length - updated.length };
}

/**
 * The records in force (not withdrawn) that affect any of `names` in `ecosystem` (exact, e.g. `Debian:12`,
 * `npm`, `PyPI`), by id, each once. `R` is the JSON shape the importer stored (scanning's OsvRecord).
 * One query per 500 names.
 */
export async function advisoriesFor<R = unknown>(db: Db, ecosystem: string, names: readonly string[]): Promise<R[]> {
  const keys = [...new Set(names.map((name) => vulnPackageName(ecosystem, name)))];
  const found = new Map<string, string>();
  for (const batch of chunks(keys, ROWS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom('vuln_records')
      .select(['id', 'record'])
      .where('withdrawn', 'is', null)
      .where('id', 'in', (qb) => qb.selectFrom('vuln_packages').select('record_id').where('ecosystem', '=', ecosystem).where('name', 'in', batch))
      .execute();
    for (const row of rows) found.set(row.id, row.record);
  }
  return [...found.keys()].sort().map((id) => JSON.parse(found.get(id)!) as R);
}

/** The database's state: generation 0 and no import before the first one. */
export async function vulndbState(db: Db): Promise<VulnDbState> {
  const text = await findRegistrySetting(db, STATE_SETTING);
  if (text === undefined) return { generation: 0, importedAt: null, records: 0, lastImport: null };
  return JSON.parse(text) as VulnDbState;
}

/**
 * Records an import's end (call in a transaction): the generation becomes the highest a record carries,
 * so it rises when this import changed a record, and also when an earlier import was interrupted after
 * it had changed some (its records carry a generation the state never reached).
 */
export async function finishVulnImport(db: Db, summary: VulnImportSummary, now: number): Promise<VulnDbState> {
  const before = await vulndbState(db);
  const { highest, count } = await db
    .selectFrom('vuln_records')
    .select((eb) => [eb.fn.max('generation').as('highest'), eb.fn.countAll<number>().as('count')])
    .executeTakeFirstOrThrow();
  const state: VulnDbState = { generation: Math.max(before.generation, Number(highest ?? 0)), importedAt: now, records: Number(count), lastImport: summary };
  await putRegistrySetting(db, STATE_SETTING, JSON.stringify(state), now);
  return state;
}

/**
 * Orders two RFC 3339 times: negative when `a` is earlier. Date.parse keeps milliseconds, so further
 * fraction digits (OSV writes microseconds) break ties; text that is no time compares as text.
 */
export function compareOsvTimes(a: string, b: string): number {
  const difference = Date.parse(a) - Date.parse(b);
  if (Number.isNaN(difference)) return a < b ? -1 : a > b ? 1 : 0;
  return difference !== 0 ? difference : subMilliseconds(a) - subMilliseconds(b);
}

function subMilliseconds(time: string): number {
  const fraction = /:\d\d\.(\d+)/.exec(time)?.[1] ?? '';
  return Number(fraction.slice(3, 12).padEnd(9, '0'));
}

function packageRows(row: VulnRecordRow): { record_id: string; ecosystem: string; name: string }[] {
  const seen = new Set<string>();
  const out: { record_id: string; ecosystem: string; name: string }[] = [];
  for (const { ecosystem, name } of row.packages) {
    const stored = vulnPackageName(ecosystem, name);
    const key = `${ecosystem}\u0000${stored}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ record_id: row.id, ecosystem, name: stored });
  }
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
