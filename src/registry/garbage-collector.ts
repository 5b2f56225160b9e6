import type { Logger } from '../core/context.js';
import { backgroundContext } from '../core/context.js';
import { collectGarbage, type GarbageReport } from './garbage-collection.js';
import type { Registry } from './registry.js';

/** Totals of the runs this node made, for /metrics. */
export interface CollectorTotals {
  runs: number;
  reviewed: number;
  deleted: number;
  bytesFreed: number;
  uploadsExpired: number;
}

const SCRUB_EVERY_MS = 24 * 3600 * 1000;

/**
 * Garbage collection on whichever node holds the `gc` lock (one run at a time across the registry),
 * scheduled by compose.ts and on demand. Never read-only: pushes and pulls go on while it runs.
 */
export class GarbageCollector {
  readonly totals: CollectorTotals = { runs: 0, reviewed: 0, deleted: 0, bytesFreed: 0, uploadsExpired: 0 };
  lastReport: (GarbageReport & { finishedAt: string }) | undefined;
  private lastScrub = 0;

  constructor(
    private readonly registry: Registry,
    private readonly log: Logger,
  ) {}

  /**
   * One run, unless another node (or this one) is running one: then undefined. `scrub` also walks the
   * store for bytes no row knows of; left unset, a run scrubs when this node has not for a day.
   */
  async run(options: { dryRun?: boolean; scrub?: boolean } = {}): Promise<GarbageReport | undefined> {
    let report: GarbageReport | undefined;
    const scrub = options.scrub ?? Date.now() - this.lastScrub > SCRUB_EVERY_MS;
    await this.registry.metadata.runExclusive('gc', async () => {
      report = await collectGarbage(this.registry, backgroundContext(this.log), { ...options, scrub });
      if (scrub && !options.dryRun) this.lastScrub = Date.now();
    });
    if (!report) return undefined;
    if (!report.dryRun) {
      this.totals.runs++;
      this.totals.reviewed += report.reviewed;
      this.totals.deleted += report.deleted;
      this.totals.bytesFreed += report.bytesFreed;
      this.totals.uploadsExpired += report.uploadsExpired;
      if (report.deleted > 0 || report.uploadsExpired > 0) {
        this.log.info({ gc: report }, `garbage collection freed ${report.bytesFreed} bytes (${report.deleted} blobs, ${report.uploadsExpired} uploads)`);
      }
    }
    this.lastReport = { ...report, finishedAt: new Date().toISOString() };
    return report;
  }
}
