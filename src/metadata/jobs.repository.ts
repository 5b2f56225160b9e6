import type { Db, Metadata } from './metadata.js';
import { preparedQuery } from './prepared-query.js';

export interface JobRow {
  id: number;
  kind: string;
  payload: string;
  /** How many times it has been leased, this lease included. */
  attempts: number;
}

export interface NewJob {
  readonly kind: string;
  /** Work with the same kind and key is one job: enqueueing it again (from any node) adds nothing. */
  readonly dedupeKey: string;
  readonly payload: string;
  readonly runAfter: number;
}

/** Adds the job unless one with its kind and key is queued; returns whether it was added. */
export async function enqueueJob(db: Db, job: NewJob, now: number): Promise<boolean> {
  const result = await insertJobRow(db, job.kind, job.dedupeKey, job.payload, job.runAfter, now);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

const insertJobRow = preparedQuery((db, kind: string, dedupeKey: string, payload: string, runAfter: number, now: number) =>
  db
    .insertInto('jobs')
    .values({ kind, dedupe_key: dedupeKey, payload, run_after: runAfter, created_at: now })
    .onConflict((oc) => oc.columns(['kind', 'dedupe_key']).doNothing()),
);

export interface LeaseRequest {
  readonly kinds: readonly string[];
  readonly owner: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
}

/**
 * Leases up to `limit` due jobs of the given kinds to `owner`: jobs never leased, or whose lease ran
 * out (their worker died). One statement, so two nodes never lease the same job: PostgreSQL skips the
 * rows another transaction holds (FOR UPDATE SKIP LOCKED); SQLite has a single writer.
 */
export async function leaseDueJobs(metadata: Metadata, request: LeaseRequest): Promise<JobRow[]> {
  if (request.kinds.length === 0) return [];
  const db = metadata.db;
  return db
    .updateTable('jobs')
    .set((eb) => ({ lease_owner: request.owner, lease_until: request.now + request.leaseMs, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', (eb) => {
      const due = eb
        .selectFrom('jobs')
        .select('id')
        .where('kind', 'in', request.kinds)
        .where('run_after', '<=', request.now)
        .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<=', request.now)]))
        .orderBy('run_after')
        .orderBy('id')
        .limit(request.limit);
      return metadata.dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
    })
    .returning(['id', 'kind', 'payload', 'attempts'])
    .execute();
}

/** Keeps a running job's lease; false when the lease was lost (it ran out and another worker took it). */
export async function extendLease(db: Db, id: number, owner: string, until: number): Promise<boolean> {
  const result = await db.updateTable('jobs').set({ lease_until: until }).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes a queued job that no worker has leased (its work was done another way). */
export async function dropUnleasedJob(db: Db, kind: string, dedupeKey: string): Promise<void> {
  await deleteUnleasedJob(db, kind, dedupeKey);
}

const deleteUnleasedJob = preparedQuery((db, kind: string, dedupeKey: string) =>
  db.deleteFrom('jobs').where('kind', '=', kind).where('dedupe_key', '=', dedupeKey).where('lease_owner', 'is', null),
);

/** Makes a queued job due now (it was scheduled for later). */
export async function makeJobDue(db: Db, kind: string, dedupeKey: string, now: number): Promise<void> {
  await db.updateTable('jobs').set({ run_after: now }).where('kind', '=', kind).where('dedupe_key', '=', dedupeKey).where('lease_owner', 'is', null).execute();
}

/** Removes a job its owner finished. */
export async function finishJob(db: Db, id: number, owner: string): Promise<void> {
  await db.deleteFrom('jobs').where('id', '=', id).where('lease_owner', '=', owner).execute();
}

/** Releases a failed job to run again after `runAfter`, keeping the error for operators. */
export async function retryJobLater(db: Db, id: number, owner: string, error: string, runAfter: number): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ lease_owner: null, lease_until: null, run_after: runAfter, last_error: error.slice(0, 2000) })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

export interface QueuedJobCount {
  kind: string;
  queued: number;
  failing: number;
}

/** How many jobs of each kind are queued, and how many of them failed at least once. */
export async function countJobs(db: Db): Promise<QueuedJobCount[]> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => ['kind', eb.fn.countAll<number>().as('queued'), eb.fn.count<number>('last_error').as('failing')])
    .groupBy('kind')
    .orderBy('kind')
    .execute();
  return rows.map((row) => ({ kind: row.kind, queued: Number(row.queued), failing: Number(row.failing) }));
}
