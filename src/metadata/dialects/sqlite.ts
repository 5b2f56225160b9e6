import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type QueryResult, type SqliteDatabase as SqliteDatabaseLike } from 'kysely';
import type { Db, Metadata } from '../metadata.js';
import { migrateToLatest } from '../migrations/index.js';
import { allowDirectRuns, endDirectRuns } from '../prepared-query.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { SqliteReadCache } from './sqlite-read-cache.js';
import type { Database } from '../tables.js';

/**
 * Opens (creating) the SQLite database at `file` (or ':memory:') and migrates it.
 * WAL with synchronous=NORMAL: a commit survives kill -9 of the process, not a power cut.
 * Checkpoints run on a thread of their own (sqlite-checkpointer.ts).
 */
export async function openSqlite(file: string): Promise<Metadata> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const database = new SqliteDatabase(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 10000');
  const checkpointer = file === ':memory:' ? undefined : startCheckpointer(database, file);
  const cache = new SqliteReadCache(database);
  const statements = withStatementCache(database, (text) => cache.noteWrite(text));
  const db: Db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  // Outside a transaction a prepared query runs at once: the connection is synchronous, so nothing
  // interleaves, and a read sees what is committed. While one is open (BEGIN ran, its work awaits), a
  // query of anyone else must wait for Kysely's mutex, or it would run inside that transaction.
  allowDirectRuns(db, (text, parameters, cached) => {
    if (database.inTransaction) return undefined;
    const statement = statements.prepare(text);
    if (!cached || !statement.readonly) return runStatement(statement, parameters);
    // Shared rows, frozen by the cache (QueryResult's type does not say readonly).
    return { rows: cache.read(text, parameters, () => statement.all(parameters)) as unknown[] };
  });
  const transaction = transactions(database, db, statements);
  const held = new Set<string>();
  return {
    dialect: 'sqlite',
    db,
    transaction,
    runExclusive: async (name, work) => {
      if (held.has(name)) return false;
      held.add(name);
      try {
        await work();
        return true;
      } finally {
        held.delete(name);
      }
    },
    ping: async () => void (await sql`select 1`.execute(db)),
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely's SQLite driver has one connection behind a mutex: while this holds it, no other query runs.
 * BEGIN, COMMIT and ROLLBACK go to SQLite directly: through Kysely's executor each cost about as much
 * again as SQLite takes to run it, and a small blob push makes a transaction. So do the prepared queries
 * of the transaction's work, which has the connection to itself.
 */
function transactions(database: SqliteDatabase.Database, db: Db, statements: CachedStatements) {
  const begin = database.prepare('begin immediate');
  const commit = database.prepare('commit');
  const rollback = database.prepare('rollback');
  return <T>(work: (trx: Db) => Promise<T>): Promise<T> =>
    db.connection().execute(async (connection) => {
      begin.run();
      allowDirectRuns(connection, (text, parameters) => runStatement(statements.prepare(text), parameters));
      try {
        const result = await work(connection);
        commit.run();
        return result;
      } catch (err) {
        // SQLite may have rolled back already (some errors end the transaction themselves).
        if (database.inTransaction) {
          try {
            rollback.run();
          } catch {
            // the error that matters is the one being thrown
          }
        }
        throw err;
      } finally {
        endDirectRuns(connection);
      }
    });
}

/** A statement's result as Kysely's SQLite driver gives it. */
function runStatement(statement: CachedStatement, parameters: readonly unknown[]): QueryResult<unknown> {
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/**
 * Kysely prepares every query anew, and SQLite's prepare costs more than running a short query. The
 * SQL text of our queries repeats, so each statement is prepared once and reused (the driver runs one
 * statement at a time on its single connection, so sharing one is safe). A statement that may write
 * calls `onWrite` with its text each time before it runs.
 */
function withStatementCache(database: SqliteDatabase.Database, onWrite: (text: string) => void): CachedStatements {
  const statements = new Map<string, CachedStatement>();
  return {
    close: () => void database.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        const prepared = database.prepare(text);
        statement = prepared.readonly ? prepared : announcingWrites(prepared, () => onWrite(text));
        // Queries with IN lists vary in length; keep the cache bounded all the same.
        if (statements.size >= 1000) statements.clear();
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/** A prepared statement, shared; `readonly` when it never writes. */
type CachedStatement = ReturnType<SqliteDatabaseLike['prepare']> & { readonly readonly: boolean };
interface CachedStatements extends SqliteDatabaseLike {
  prepare(text: string): CachedStatement;
}

function announcingWrites(statement: SqliteDatabase.Statement, onWrite: () => void): CachedStatement {
  return {
    reader: statement.reader,
    readonly: false,
    all: (parameters) => {
      onWrite();
      return statement.all(parameters);
    },
    run: (parameters) => {
      onWrite();
      return statement.run(parameters);
    },
    iterate: (parameters) => {
      onWrite();
      return statement.iterate(parameters);
    },
  };
}
