import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { backgroundContext, type Logger, type OpContext } from '../core/context.js';
import { extendLease, finishJob, leaseDueJobs, retryJobLater, type JobRow } from '../metadata/jobs.repository.js';
import type { Metadata } from '../metadata/metadata.js';

/** Runs one job. A rejection schedules a retry; the payload is the JSON the job was enqueued with. */
export type JobHandler = (ctx: OpContext, payload: unknown) => Promise<void>;

export interface JobWorkerOptions {
  readonly metadata: Metadata;
  readonly clock: Clock;
  readonly log: Logger;
  /** How long a lease lasts; a running job renews it at a third of that. A dead worker's jobs wait this long. */
  readonly leaseMs?: number;
  /** How often an idle worker looks for due jobs. */
  readonly pollMs?: number;
  /** Jobs this worker runs at once. */
  readonly concurrency?: number;
}

const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

/**
 * Leases due jobs and runs the handler registered for their kind. Any number of workers, on any
 * nodes, may run over one database: a job is leased to one of them at a time (see leaseDueJobs). It
 * knows nothing of what the jobs do; compose.ts registers the handlers.
 */
export class JobWorker {
  readonly owner = `worker-${randomUUID()}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Set<Promise<void>>();
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly options: JobWorkerOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.concurrency = options.concurrency ?? 2;
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Polls until stop(). */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the jobs in hand; an interrupted job's lease runs out and another worker retries it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
  }

  /** Leases what is due now (up to the free slots), runs it, and resolves with how many jobs ran. */
  async runDue(): Promise<number> {
    const free = this.concurrency - this.running.size;
    if (free <= 0) return 0;
    const jobs = await leaseDueJobs(this.options.metadata, {
      kinds: [...this.handlers.keys()],
      owner: this.owner,
      now: this.options.clock.now().getTime(),
      leaseMs: this.leaseMs,
      limit: free,
    });
    await Promise.all(jobs.map((job) => this.track(this.run(job))));
    return jobs.length;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runDue().then(
        (ran) => this.schedule(ran > 0 ? 0 : this.pollMs),
        (err: unknown) => {
          this.options.log.warn({ err }, 'could not lease background jobs; retrying');
          this.schedule(this.pollMs * 5);
        },
      );
    }, delay);
    this.timer.unref();
  }

  private async track(work: Promise<void>): Promise<void> {
    this.running.add(work);
    try {
      await work;
    } finally {
      this.running.delete(work);
    }
  }

  private async run(job: JobRow): Promise<void> {
    const { metadata, clock, log } = this.options;
    const ctx = backgroundContext(log);
    const renew = setInterval(() => {
      extendLease(metadata.db, job.id, this.owner, clock.now().getTime() + this.leaseMs).catch((err: unknown) =>
        log.warn({ err, job: job.id }, 'could not renew a job lease'),
      );
    }, this.leaseMs / 3);
    renew.unref();
    try {
      await this.handlers.get(job.kind)!(ctx, JSON.parse(job.payload));
      await finishJob(metadata.db, job.id, this.owner);
    } catch (err) {
      const delay = Math.min(1000 * 2 ** job.attempts, MAX_RETRY_DELAY_MS);
      log.warn({ err, job: job.id, kind: job.kind, attempts: job.attempts }, `background job failed; retrying in ${Math.round(delay / 1000)} s`);
      await retryJobLater(metadata.db, job.id, this.owner, (err as Error).message ?? String(err), clock.now().getTime() + delay).catch(() => {});
    } finally {
      clearInterval(renew);
    }
  }
}
