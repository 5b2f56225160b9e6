import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../metadata.js';
import { autoIncrementId } from './column-types.js';

// Frozen: never edit a migration that has shipped; add a new one.
// Background work any node may run: a job is leased (owner and expiry) while a worker runs it.
export const jobs = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'integer', autoIncrementId(dialect))
      .addColumn('kind', 'text', (c) => c.notNull())
      // Unique per kind: enqueueing the same work twice (from two nodes) makes one job.
      .addColumn('dedupe_key', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('run_after', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('jobs_kind_dedupe_key', ['kind', 'dedupe_key'])
      .execute();
    await db.schema.createIndex('jobs_due').on('jobs').columns(['run_after']).execute();
  },
});
