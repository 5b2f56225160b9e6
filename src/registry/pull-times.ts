import type { Db } from '../metadata/metadata.js';
import { recordPullTimes } from '../metadata/manifests.repository.js';

/**
 * When each image was last pulled (lifecycle's sinceImagePulled, DescribeImages' lastRecordedPullTime),
 * gathered in memory and written in one transaction every few seconds: never a write per GET.
 * A crash loses at most the last few seconds of pull times.
 */
export class PullTimes {
  private pending = new Map<string, { repository: string; digest: string; at: number }>();

  record(repository: string, digest: string, at: number): void {
    this.pending.set(`${repository}\u0000${digest}`, { repository, digest, at });
  }

  /** Writes what was recorded since the last flush. */
  async flush(transaction: <T>(work: (trx: Db) => Promise<T>) => Promise<T>): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await transaction((trx) => recordPullTimes(trx, batch));
    } catch (err) {
      // Keep them for the next flush, unless a newer pull was recorded meanwhile.
      for (const entry of batch) {
        const key = `${entry.repository}\u0000${entry.digest}`;
        if (!this.pending.has(key)) this.pending.set(key, entry);
      }
      throw err;
    }
  }
}
