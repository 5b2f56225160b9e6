import { randomUUID } from 'node:crypto';
import type { OpContext } from '../core/context.js';
import { dropUnleasedJob, enqueueJob, makeJobDue } from '../metadata/jobs.repository.js';
import type { Db } from '../metadata/metadata.js';
import { EVENT_JOB, type DomainEvent, type EventBus } from './domain-events.js';

/**
 * How long an event written to the outbox is left to its delivery at once before a worker delivers
 * it. Only a crash between the commit and that delivery leaves it to the worker.
 */
const HANDOFF_MS = 60_000;

export interface OutboxEntry {
  readonly id: string;
  readonly event: DomainEvent;
}

/** Writes `event` in `trx`, the transaction of the change it reports, so the two commit together. */
export async function writeToOutbox(trx: Db, event: DomainEvent, now: number): Promise<OutboxEntry> {
  const id = randomUUID();
  await enqueueJob(trx, { kind: EVENT_JOB, dedupeKey: id, payload: JSON.stringify(event), runAfter: now + HANDOFF_MS }, now);
  return { id, event };
}

/**
 * Delivers a committed event at once (so a scan on push is IN_PROGRESS when the push returns, as on
 * ECR). Delivered, its outbox entry goes; failed, the entry is due for a worker, which retries it.
 * Never rejects: the change itself has committed.
 */
export async function deliverNow(ctx: OpContext, db: Db, bus: EventBus, entry: OutboxEntry, now: number): Promise<void> {
  try {
    await bus.deliver(entry.event);
  } catch (err) {
    ctx.log.warn({ err, event: entry.event.type }, 'delivering an event failed; the outbox retries it');
    await makeJobDue(db, EVENT_JOB, entry.id, now).catch(() => {});
    return;
  }
  await dropUnleasedJob(db, EVENT_JOB, entry.id).catch((err: unknown) => ctx.log.warn({ err }, 'could not drop a delivered event from the outbox; it is delivered again'));
}
