import type SqliteDatabase from 'better-sqlite3';

/** Rows kept at most; past that the cache starts again empty (a full scan to evict would cost more). */
const MAX_ENTRIES = 10_000;
/** Write statements whose tables are remembered; the texts repeat, but `in (…)` lists make new ones. */
const MAX_WRITE_TEXTS = 1_000;

/** The tables a query reads, as Kysely writes them: `from "t"`, `join "t"`. */
const READ_TABLE = /\b(?:from|join)\s+"([^"]+)"/gi;
/** The table a data change writes: `insert into "t"`, `update "t"`, `delete from "t"`. */
const WRITTEN_TABLE = /^\s*(insert\s+into|update|delete\s+from)\s+"([^"]+)"/i;

/** The cached rows of one SQL text, and the tables that text reads (undefined: it could not tell). */
interface Entry {
  readonly tables: ReadonlySet<string> | undefined;
  readonly rows: Map<string, readonly unknown[]>;
}

/**
 * Results of the cacheable reads of one SQLite connection, kept until something may have changed what they
 * read: a write statement on this connection (`noteWrite`, called before it runs), or a commit by another
 * connection, which SQLite reports by changing `PRAGMA data_version` (the `berth` commands that open the
 * database beside a running server). data_version is asked at most once per millisecond (asking costs
 * about what a lookup saves), so another process's commit is seen within a millisecond; this server's own
 * writes are seen at once.
 *
 * A write empties only the results that read the table it writes, or a table whose rows its deletes and
 * updates reach through foreign keys (ON DELETE CASCADE and the like); a write it cannot read (DDL, a
 * statement of another shape) empties everything, and so does another connection's commit. Why: during
 * pushes the writes go to blobs, links, manifests and tags, while every request looks up its repository
 * and that repository's policy; emptying everything at each write made those lookups miss almost always.
 *
 * Why a cache: on the pull paths the same few lookups (a tag's manifest, a repository's policy, a blob's
 * link) repeat between writes, and each costs a SQLite statement (about 20 µs here) where a hit costs two
 * map lookups. Reads inside a transaction never come here.
 */
export class SqliteReadCache {
  /** By SQL text (a handful of texts), then by parameters. */
  private readonly entries = new Map<string, Entry>();
  private size = 0;
  /** The tables each write statement may change, by its text. */
  private readonly changedBy = new Map<string, ReadonlySet<string>>();
  private readonly dataVersion: SqliteDatabase.Statement;
  private seenVersion: unknown;
  private checkedAt = 0;

  constructor(private readonly database: SqliteDatabase.Database) {
    this.dataVersion = database.prepare('pragma data_version').pluck();
    this.seenVersion = this.dataVersion.get();
  }

  /** Before the write statement `sql` runs on this connection. */
  noteWrite(sql: string): void {
    const tables = this.tablesChangedBy(sql);
    if (this.size === 0) return;
    if (tables === undefined) return this.clear();
    for (const entry of this.entries.values()) {
      if (entry.rows.size > 0 && (entry.tables === undefined || overlap(entry.tables, tables))) this.drop(entry);
    }
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
    let entry = this.entries.get(sql);
    if (entry === undefined) this.entries.set(sql, (entry = { tables: tablesRead(sql), rows: new Map() }));
    const key = keyOf(parameters);
    let rows = entry.rows.get(key);
    if (rows === undefined) {
      rows = Object.freeze(run().map((row) => Object.freeze(row)));
      if (this.size >= MAX_ENTRIES) this.clear();
      entry.rows.set(key, rows);
      this.size++;
    }
    return rows;
  }

  private clear(): void {
    for (const entry of this.entries.values()) entry.rows.clear();
    this.size = 0;
  }

  private drop(entry: Entry): void {
    this.size -= entry.rows.size;
    entry.rows.clear();
  }

  /**
   * The tables a data change may alter: the one it writes, and for an update, a delete or an upsert every
   * table whose foreign keys act on it (cascades and SET NULL/DEFAULT), and on from there. Undefined for a
   * statement that is not a plain insert, update or delete (then the foreign keys are read again next
   * time: it may have changed the schema).
   */
  private tablesChangedBy(sql: string): ReadonlySet<string> | undefined {
    if (this.changedBy.has(sql)) return this.changedBy.get(sql);
    const match = WRITTEN_TABLE.exec(sql);
    if (!match) {
      this.changedBy.clear();
      return undefined;
    }
    const changed = new Set([match[2]!]);
    // An insert changes its own table alone, unless it updates on conflict.
    if (!/^insert/i.test(match[1]!) || /\bdo\s+update\b/i.test(sql)) {
      const acting = this.foreignKeysActingOn();
      for (const table of changed) for (const child of acting.get(table) ?? []) changed.add(child);
    }
    if (this.changedBy.size >= MAX_WRITE_TEXTS) this.changedBy.clear();
    this.changedBy.set(sql, changed);
    return changed;
  }

  /** For each table, the tables with a foreign key to it that does something when its rows change. */
  private foreignKeysActingOn(): Map<string, string[]> {
    const acting = new Map<string, string[]>();
    const tables = this.database.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
    for (const child of tables) {
      const keys = this.database.pragma(`foreign_key_list("${child.replaceAll('"', '""')}")`) as { table: string; on_update: string; on_delete: string }[];
      for (const key of keys) {
        const inert = (action: string) => action === 'NO ACTION' || action === 'RESTRICT';
        if (!inert(key.on_delete) || !inert(key.on_update)) acting.set(key.table, [...(acting.get(key.table) ?? []), child]);
      }
    }
    return acting;
  }
}

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** The tables `sql` reads, or undefined when it names none that can be told (then any write empties it). */
function tablesRead(sql: string): ReadonlySet<string> | undefined {
  const tables = new Set([...sql.matchAll(READ_TABLE)].map((m) => m[1]!));
  return tables.size > 0 ? tables : undefined;
}

/** Parameters are strings, numbers or null; the type goes into the key so that 1 and '1' differ. */
function keyOf(parameters: readonly unknown[]): string {
  let key = '';
  for (const p of parameters) key += typeof p === 'string' ? `\u0000s${p}` : `\u0000${typeof p}${String(p)}`;
  return key;
}
