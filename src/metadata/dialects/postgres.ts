import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Db, Metadata } from '../metadata.js';
import { migrateToLatest } from '../migrations/index.js';
import type { Database } from '../tables.js';
import { RegistryError } from '../../core/errors.js';
import { asUnavailable } from './connection-errors.js';

const INT8_OID = 20;
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
const MAX_ATTEMPTS = 20;

export interface PostgresOptions {
  /** Most connections this node holds open. */
  readonly poolSize?: number;
  /** How long to wait for a connection before the database counts as unavailable. */
  readonly connectTimeoutMs?: number;
}

/**
 * Connects a pool to the database at `url` (postgres://…) and migrates it.
 *
 * Write transactions run SERIALIZABLE and are retried on a serialization failure, so the registry
 * code keeps the guarantee it has on SQLite's single writer: a transaction sees no concurrent change
 * between its checks and its writes. Transactions touch only rows (never bytes), so a retry is safe.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Metadata> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 20,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    // Sizes and times are bigint columns; they stay far below 2^53, so numbers are exact.
    types: { getTypeParser: (oid: number, format?: string) => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as 'text')) },
  });
  // An idle connection that the server closes (restart, failover) must not crash the process: the next
  // query gets a fresh connection, or reports the database unavailable.
  pool.on('error', () => {});
  try {
    // Asked first, so that start-up names the real reason (refused, unknown host, authentication).
    await pool.query('select 1');
  } catch (err) {
    await pool.end();
    throw new Error(`cannot connect: ${(err as Error).message}`);
  }
  const db: Db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withMappedErrors(pool) }) });
  try {
    await migrateToLatest(db as Kysely<unknown>, 'postgres');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return {
    dialect: 'postgres',
    db,
    transaction: (work) => serializableTransaction(db, work),
    runExclusive: (name, work) => advisoryLocked(db, name, work),
    // A second try on a fresh connection: a pooled one the server dropped while idle fails once.
    ping: async () => void (await sql`select 1`.execute(db).catch(() => sql`select 1`.execute(db))),
    close: () => db.destroy(),
  };
}

async function serializableTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().setIsolationLevel('serializable').execute(work);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== SERIALIZATION_FAILURE && code !== DEADLOCK_DETECTED) throw err;
      if (attempt === MAX_ATTEMPTS) throw new RegistryError('UNAVAILABLE', 'too many concurrent changes to the same data; retry');
      // Jittered exponential backoff (up to 100 ms), so the transactions that collided spread out.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)));
    }
  }
}

async function advisoryLocked(db: Db, name: string, work: () => Promise<void>): Promise<boolean> {
  const key = `berth:${name}`;
  // The lock belongs to one session, so one connection holds it while `work` runs on the others.
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtext(${key})) as locked`.execute(connection);
    if (!rows[0]?.locked) return false;
    try {
      await work();
      return true;
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(connection).catch(() => {});
    }
  });
}

/**
 * The pool as Kysely sees it, with connection failures turned into the registry's UNAVAILABLE error
 * (503, retryable), so callers never report a database outage as an internal error.
 */
function withMappedErrors(pool: pg.Pool): pg.Pool {
  const facade = {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw asUnavailable(err);
      }
      let broken = false;
      // A checked-out connection that the server drops emits 'error' besides failing its query; with no
      // listener that event would be an uncaught exception (and end the process).
      const dropped = () => {
        broken = true;
      };
      client.on('error', dropped);
      return {
        query: (...args: unknown[]) =>
          (client.query as (...a: unknown[]) => Promise<unknown>).apply(client, args).catch((err: unknown) => {
            const mapped = asUnavailable(err);
            if (mapped !== err) broken = true;
            throw mapped;
          }),
        // A connection that failed is dropped, not returned to the pool.
        release: (err?: Error | boolean) => {
          client.off('error', dropped);
          client.release(err ?? (broken || undefined));
        },
      };
    },
    end: () => pool.end(),
  };
  return facade as unknown as pg.Pool;
}
