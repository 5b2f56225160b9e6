import { garbageQueue } from '../../metadata/garbage.repository.js';
import { storageUse, type StorageUse } from '../../metadata/storage-use.repository.js';
import type { GarbageCollector } from '../../registry/garbage-collector.js';
import type { Registry } from '../../registry/registry.js';

// Storage use is an aggregate over every blob: computed at most this often, however often Prometheus scrapes.
const STORAGE_USE_TTL_MS = 60_000;

/** Gauges of the bytes stored (in all and per repository) and of the garbage-collection queue, plus this node's collection counters. */
export function storageMetrics(registry: Registry, collector: GarbageCollector): () => Promise<string[]> {
  let cached: { at: number; use: StorageUse } | undefined;
  const label = (value: string) => value.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
  return async () => {
    const now = Date.now();
    if (!cached || now - cached.at > STORAGE_USE_TTL_MS) cached = { at: now, use: await storageUse(registry.metadata.db) };
    const queue = await garbageQueue(registry.metadata.db, registry.clock.now().getTime());
    const { totals } = collector;
    return [
      '# HELP berth_storage_bytes Bytes stored, each blob counted once.',
      '# TYPE berth_storage_bytes gauge',
      `berth_storage_bytes ${cached.use.totalBytes}`,
      '# HELP berth_repository_storage_bytes Bytes a repository uses (content it shares with others counts in each).',
      '# TYPE berth_repository_storage_bytes gauge',
      ...cached.use.repositories.map((r) => `berth_repository_storage_bytes{repository="${label(r.name)}"} ${r.bytes}`),
      '# HELP berth_gc_queued_blobs Blobs without references by state: waiting for the grace period, due for review, being deleted.',
      '# TYPE berth_gc_queued_blobs gauge',
      `berth_gc_queued_blobs{state="waiting"} ${queue.waiting - queue.due}`,
      `berth_gc_queued_blobs{state="due"} ${queue.due}`,
      `berth_gc_queued_blobs{state="deleting"} ${queue.deleting}`,
      '# HELP berth_gc_queued_bytes Bytes of the blobs waiting for review.',
      '# TYPE berth_gc_queued_bytes gauge',
      `berth_gc_queued_bytes ${queue.waitingBytes}`,
      '# HELP berth_gc_runs_total Garbage-collection runs this node made.',
      '# TYPE berth_gc_runs_total counter',
      `berth_gc_runs_total ${totals.runs}`,
      '# HELP berth_gc_deleted_blobs_total Blobs this node deleted.',
      '# TYPE berth_gc_deleted_blobs_total counter',
      `berth_gc_deleted_blobs_total ${totals.deleted}`,
      '# HELP berth_gc_freed_bytes_total Bytes this node freed.',
      '# TYPE berth_gc_freed_bytes_total counter',
      `berth_gc_freed_bytes_total ${totals.bytesFreed}`,
      '# HELP berth_gc_expired_uploads_total Idle upload sessions this node expired.',
      '# TYPE berth_gc_expired_uploads_total counter',
      `berth_gc_expired_uploads_total ${totals.uploadsExpired}`,
    ];
  };
}
