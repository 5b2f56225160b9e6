import type SqliteDatabase from 'better-sqlite3';

/** Rows kept at most; past that the cache starts again empty (a full scan to evict would cost more). */
const MAX_ENTRIES = 10_000;

/**
 * Results of the cacheable reads of one SQLite connection, kept until anything may have changed the
 * database: a statement on this connection that is not read-only (`noteWrite`, called before it runs),
 * or a commit by another connection, which SQLite reports by changing `PRAGMA data_version` (the
 * `berth` commands that open the database beside a running server). Either empties the whole cache.
 *
 * Why: on the pull paths the same few lookups (a tag's manifest, a repository's policy, a blob's link)
 * repeat between writes, and each costs a SQLite statement (about 20 µs here) where a hit costs a
 * data_version check (about 2 µs) and a map lookup. Reads inside a transaction never come here.
 */
export class SqliteReadCache {
  private readonly entries = new Map<string, readonly unknown[]>();
  private readonly dataVersion: SqliteDatabase.Statement;
  private seenVersion: unknown;

  constructor(database: SqliteDatabase.Database) {
    this.dataVersion = database.prepare('pragma data_version').pluck();
    this.seenVersion = this.dataVersion.get();
  }

  noteWrite(): void {
    if (this.entries.size > 0) this.entries.clear();
  }

  /** The rows of `sql` with `parameters`, from the cache or from `run`. The rows are frozen: callers share them. */
  read(sql: string, parameters: readonly unknown[], run: () => unknown[]): readonly unknown[] {
    const version = this.dataVersion.get();
    if (version !== this.seenVersion) {
      this.seenVersion = version;
      this.entries.clear();
    }
    const key = keyOf(sql, parameters);
    let rows = this.entries.get(key);
    if (rows === undefined) {
      rows = Object.freeze(run().map((row) => Object.freeze(row)));
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, rows);
    }
    return rows;
  }
}

/** Parameters are strings, numbers or null; the type goes into the key so that 1 and '1' differ. */
function keyOf(sql: string, parameters: readonly unknown[]): string {
  let key = sql;
  for (const p of parameters) key += typeof p === 'string' ? `\u0000s${p}` : `\u0000${typeof p}${String(p)}`;
  return key;
}
