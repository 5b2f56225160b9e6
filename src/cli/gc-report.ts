import type { GarbageQueueView, GarbageReportView } from '../contracts/gc-report.js';

const MiB = 1024 * 1024;
const bytes = (n: number): string => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} B`);

/** `berth gc`'s output: what was queued, what the run reviewed and freed, and the storage use after it. */
export function formatGarbageReport(report: GarbageReportView): string {
  const q: GarbageQueueView = report.queue;
  const verb = report.dryRun ? 'would free' : 'freed';
  const lines = [
    `queued:   ${q.waiting} blobs (${bytes(q.waitingBytes)}) without references, ${q.due} of them (${bytes(q.dueBytes)}) past the grace period; ${q.deleting} being deleted`,
    `reviewed: ${report.reviewed} blobs, ${report.kept} still referenced`,
    `${report.dryRun ? 'dry run:  ' : 'freed:    '}${report.deleted} blobs, ${bytes(report.bytesFreed)}; ${report.uploadsExpired} expired uploads (${verb})`,
    `stored:   ${bytes(report.storage.totalBytes)} in all`,
    ...report.storage.repositories.map((r) => `  ${r.name}  ${bytes(r.bytes)}`),
  ];
  return lines.join('\n');
}
