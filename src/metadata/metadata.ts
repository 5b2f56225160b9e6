import type { Kysely } from 'kysely';
import type { Database } from './tables.js';

export type DialectName = 'sqlite' | 'postgres';

/** Kysely over the schema; a transaction's handle has the same type, so SQL functions take either. */
export type Db = Kysely<Database>;

/** The metadata store: a dialect-specific Kysely plus the transaction and lock semantics on top. */
export interface Metadata {
  readonly dialect: DialectName;
  readonly db: Db;
  /**
   * Runs `work` in one write transaction and returns its result; rolls back when it throws. On SQLite
   * the transaction takes the write lock at BEGIN (IMMEDIATE), so two writers never deadlock.
   */
  transaction<T>(work: (trx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `work` unless another holder of the lock `name`, on any node, is running it; then resolves
   * false without running it. For singleton schedulers. PostgreSQL: a session advisory lock, released
   * when `work` ends or its connection drops. SQLite: the database belongs to one process.
   */
  runExclusive(name: string, work: () => Promise<void>): Promise<boolean>;
  /** Resolves when the database answers a trivial query (health checks). */
  ping(): Promise<void>;
  /** Ends every connection. */
  close(): Promise<void>;
}
