import type { GarbageQueueView, GarbageReportView } from '../contracts/gc-report.js';

const MiB = 1024 * 1024;
/** Bytes as a person reads them: 512 B, 3.4 MiB. */
export function formatBytes(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} B`;
}

/** `berth gc`'s output: what was queued, what the run reviewed and freed, and the storage use after it. */
export function formatGarbageReport(report: GarbageReportView): string {
  const q: GarbageQueueView = report.queue;
  const verb = report.dryRun ? 'would free' : 'freed';
  const lines = [
    `queued:   ${q.waiting} blobs (${formatBytes(q.waitingBytes)}) without references, ${q.due} of them (${formatBytes(q.dueBytes)}) past the grace period; ${q.deleting} being deleted`,
    `reviewed: ${report.reviewed} blobs, ${report.kept} still referenced`,
    `${report.dryRun ? 'dry run:  ' : 'freed:    '}${report.deleted} blobs, ${formatBytes(report.bytesFreed)}; ${report.uploadsExpired} expired uploads (${verb})${report.orphansRemoved ? `; ${report.orphansRemoved} of the blobs were stored without a record` : ''}`,
    `stored:   ${formatBytes(report.storage.totalBytes)} in all`,
    ...report.storage.repositories.map((r) => `  ${r.name}  ${formatBytes(r.bytes)}`),
  ];
  return lines.join('\n');
}
