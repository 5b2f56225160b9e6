import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { openPostgres } from '../../src/metadata/dialects/postgres.js';
import { openSqlite } from '../../src/metadata/dialects/sqlite.js';
import type { Metadata } from '../../src/metadata/metadata.js';

/**
 * BERTH_TEST_DATABASE_URL (postgres://…, a database the tests may create others from) asks for
 * PostgreSQL. Set, it must work: an unreachable server fails the tests, it never skips them.
 */
export const TEST_DATABASE_URL = process.env.BERTH_TEST_DATABASE_URL || undefined;

/** Set by scripts/run-tests.js for its second pass: every suite then runs on the scale-out backends. */
export const SCALE_OUT = process.env.BERTH_TEST_BACKEND === 'scale-out';

/** A database of its own for one test: created on the test server, dropped by `drop()`. */
export interface ThrowawayDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** `icuLocale` makes the database sort text by that locale (as many production databases do). */
export async function throwawayPostgres(adminUrl: string = requireDatabaseUrl(), options: { icuLocale?: string } = {}): Promise<ThrowawayDatabase> {
  const name = `berth_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const locale = options.icuLocale ? ` template template0 locale_provider icu icu_locale '${options.icuLocale.replace(/[^A-Za-z-]/g, '')}'` : '';
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name}${locale}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

/** The metadata store a test registry runs on: SQLite in memory, or a throwaway PostgreSQL database in the scale-out pass. */
export async function openTestMetadata(): Promise<Metadata> {
  if (!SCALE_OUT || !TEST_DATABASE_URL) return openSqlite(':memory:');
  const database = await throwawayPostgres();
  const metadata = await openPostgres(database.url);
  return {
    ...metadata,
    async close() {
      await metadata.close();
      await database.drop();
    },
  };
}

export function requireDatabaseUrl(): string {
  if (!TEST_DATABASE_URL) throw new Error('BERTH_TEST_DATABASE_URL is not set');
  return TEST_DATABASE_URL;
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`BERTH_TEST_DATABASE_URL: cannot reach the test PostgreSQL: ${(err as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * For a migration's own test: an empty SQLite database in memory (foreign keys on, as Berth opens it),
 * through Kysely and as the raw handle, destroyed after `work`.
 */
export async function withMemorySqlite(work: (db: Kysely<unknown>, database: SqliteDatabase.Database) => Promise<void>): Promise<void> {
  const database = new SqliteDatabase(':memory:');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  try {
    await work(db, database);
  } finally {
    await db.destroy();
  }
}
