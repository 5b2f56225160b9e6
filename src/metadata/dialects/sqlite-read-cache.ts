import type SqliteDatabase from 'better-sqlite3';

/** Rows kept at most; past that the cache starts again empty (a full scan to evict would cost more). */
const MAX_ENTRIES = 10_000;

/**
 * Results of the cacheable reads of one SQLite connection, kept until anything may have changed the
 * database: a statement on this connection that is not read-only (`noteWrite`, called before it runs),
 * or a commit by another connection, which SQLite reports by changing `PRAGMA data_version` (the
 * `berth` commands that open the database beside a running server). Either empties the whole cache.
 * data_version is asked at most once per millisecond (asking costs about what a lookup saves), so another
 * process's commit is seen within a millisecond; this server's own writes are seen at once.
 *
 * Why: on the pull paths the same few lookups (a tag's manifest, a repository's policy, a blob's link)
 * repeat between writes, and each costs a SQLite statement (about 20 µs here) where a hit costs two map
 * lookups. Reads inside a transaction never come here.
 */
export class SqliteReadCache {
  /** Rows by SQL text (a handful of texts), then by parameters. */
  private readonly entries = new Map<string, Map<string, readonly unknown[]>>();
  private size = 0;
  private readonly dataVersion: SqliteDatabase.Statement;
  private seenVersion: unknown;
  private checkedAt = 0;

  constructor(database: SqliteDatabase.Database) {
    this.dataVersion = database.prepare('pragma data_version').pluck();
    this.seenVersion = this.dataVersion.get();
  }

  noteWrite(): void {
    if (this.size > 0) this.clear();
  }

  /** The rows of `sql` with `parameters`, from the cache or from `run`. The rows are frozen: callers share them. */
  read(sql: string, parameters: readonly unknown[], run: () => unknown[]): readonly unknown[] {
    const now = Date.now();
    if (now !== this.checkedAt) {
      this.checkedAt = now;
      const version = this.dataVersion.get();
      if (version !== this.seenVersion) {
        this.seenVersion = version;
        this.clear();
      }
    }
    let bySql = this.entries.get(sql);
    if (bySql === undefined) this.entries.set(sql, (bySql = new Map()));
    const key = keyOf(parameters);
    let rows = bySql.get(key);
    if (rows === undefined) {
      rows = Object.freeze(run().map((row) => Object.freeze(row)));
      if (this.size >= MAX_ENTRIES) this.clear();
      bySql.set(key, rows);
      this.size++;
    }
    return rows;
  }

  private clear(): void {
    for (const bySql of this.entries.values()) bySql.clear();
    this.size = 0;
  }
}

/** Parameters are strings, numbers or null; the type goes into the key so that 1 and '1' differ. */
function keyOf(parameters: readonly unknown[]): string {
  let key = '';
  for (const p of parameters) key += typeof p === 'string' ? `\u0000s${p}` : `\u0000${typeof p}${String(p)}`;
  return key;
}
