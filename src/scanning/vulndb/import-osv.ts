import type { Metadata } from '../../metadata/metadata.js';
import { finishVulnImport, upsertVulnRecords, vulndbState, type VulnDbState, type VulnRecordRow, type VulnUpsertCounts } from '../../metadata/vulndb.repository.js';
import { openOsvSource, type SourceEntry } from './osv-sources.js';
import { parseOsvRecord } from './record-row.js';

export { vulndbState, type VulnDbState } from '../../metadata/vulndb.repository.js';

const MiB = 1024 * 1024;
/** Records per transaction. */
const DEFAULT_BATCH_SIZE = 500;
/** A record (a file, a zip entry) larger than this is skipped: the largest OSV records are a few MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 16 * MiB;
/** A batch is also written once its records' JSON passes this, so a batch of big records stays small. */
const MAX_BATCH_BYTES = 32 * MiB;
const DEFAULT_PROGRESS_INTERVAL_MS = 250;
/** One import at a time, on any node. */
const IMPORT_LOCK = 'vulndb-import';

export interface ImportProgress {
  /** JSON files (or zip entries) read so far, skipped ones included. */
  readonly files: number;
  /** Valid records read so far. */
  readonly records: number;
  /** Bytes read so far: of the files, or of the zip (compressed). */
  readonly bytes: number;
  /** All there is to read, when known (a zip's or a file's size; not a directory's). */
  readonly totalBytes?: number;
}

/** A file that was skipped, and why. */
export interface ImportWarning {
  /** The file's path (a directory or a file import) or the entry's name in the zip. */
  readonly file: string;
  readonly message: string;
}

export interface ImportOsvOptions {
  /** Called at most every `progressIntervalMs` while the import reads, and once at its end. */
  onProgress?(progress: ImportProgress): void;
  /** Called for every skipped file; without it, skipped files are only counted. */
  onWarning?(warning: ImportWarning): void;
  /** Records per transaction (default 500). */
  batchSize?: number;
  /** Larger records are skipped (default 16 MiB). */
  maxRecordBytes?: number;
  /** Default 250. */
  progressIntervalMs?: number;
  /** Stops the import between two files (what was written stays written; import again to finish). */
  signal?: AbortSignal;
  /** Default Date.now. */
  now?(): number;
}

export interface ImportOsvResult {
  /** Valid records read. */
  readonly records: number;
  readonly added: number;
  /** Stored records replaced by a newer `modified`. */
  readonly updated: number;
  /** Records stored already at the same (or a newer) `modified`. */
  readonly unchanged: number;
  /** Files that were not records (invalid JSON, no id, no affected list, too large, unreadable). */
  readonly skipped: number;
  /** The database's generation after the import: higher than before when something changed. */
  readonly generation: number;
}

/** What an import needs of the metadata store. */
export type VulnDbStore = Pick<Metadata, 'db' | 'transaction' | 'runExclusive'>;

/**
 * Imports OSV records from `source`: a directory of `*.json` records (recursively), a zip of them
 * (OSV's per-ecosystem or combined all.zip, streamed entry by entry) or one `.json` file. Records are
 * written in transactions of `batchSize`; a record replaces the stored one only when its `modified` is
 * later, so importing the same data again changes nothing and leaves the generation as it was.
 * Files that are not records are skipped, counted and reported to `onWarning`, never fatal.
 * Throws an Error when the path is none of the above, and when another import is running.
 */
export async function importOsv(store: VulnDbStore, source: string, options: ImportOsvOptions = {}): Promise<ImportOsvResult> {
  const input = await openOsvSource(source, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  let result: ImportOsvResult | undefined;
  const ran = await store.runExclusive(IMPORT_LOCK, async () => {
    const run = new ImportRun(store, (await vulndbState(store.db)).generation + 1, options);
    try {
      for await (const entry of input.entries()) {
        options.signal?.throwIfAborted();
        await run.take(entry, input.totalBytes);
      }
      await run.flush();
    } finally {
      // Never leave a batch being written behind (the lock is held until it is).
      await run.written().catch(() => {});
    }
    await run.written();
    const summary = { source, ...run.counts };
    const state = await store.transaction((trx) => finishVulnImport(trx, summary, (options.now ?? Date.now)()));
    run.reportProgress(input.totalBytes, true);
    result = { ...run.counts, generation: state.generation };
  });
  if (!ran || !result) throw new Error('another vulnerability database import is running (on this or another node); try again later');
  return result;
}

/** The state of one import: the batch being filled, the one being written, the counts and progress. */
class ImportRun {
  readonly counts = { records: 0, added: 0, updated: 0, unchanged: 0, skipped: 0 };
  private batch = new Map<string, VulnRecordRow>();
  private batchBytes = 0;
  private files = 0;
  private bytes = 0;
  private lastProgress = performance.now();
  /** The batch being written, if any: the next batch is read meanwhile, and written after it. */
  private writing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;

  constructor(
    private readonly store: VulnDbStore,
    private readonly generation: number,
    private readonly options: ImportOsvOptions,
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  }

  async take(entry: SourceEntry, totalBytes: number | undefined): Promise<void> {
    this.files++;
    this.bytes = entry.position;
    const parsed = entry.kind === 'data' ? parseOsvRecord(entry.data) : { invalid: entry.reason };
    if ('invalid' in parsed) {
      this.counts.skipped++;
      this.options.onWarning?.({ file: entry.name, message: parsed.invalid });
    } else {
      // Ids are distinct within a batch: a repeated id waits for the next one, where it compares with the stored record.
      if (this.batch.has(parsed.row.id)) await this.flush();
      this.batch.set(parsed.row.id, parsed.row);
      this.batchBytes += parsed.row.record.length;
      this.counts.records++;
      if (this.batch.size >= this.batchSize || this.batchBytes >= MAX_BATCH_BYTES) await this.flush();
    }
    this.reportProgress(totalBytes, false);
  }

  /** Starts writing the batch once the previous one is written (one write at a time). */
  async flush(): Promise<void> {
    if (this.batch.size === 0) return;
    const rows = [...this.batch.values()];
    this.batch = new Map();
    this.batchBytes = 0;
    await this.writing;
    this.writing = this.store.transaction((trx) => upsertVulnRecords(trx, rows, this.generation)).then((counts) => this.add(counts));
    // Awaited by the next flush or by written(); until then a failure must not count as unhandled.
    this.writing.catch(() => {});
  }

  written(): Promise<void> {
    return this.writing;
  }

  reportProgress(totalBytes: number | undefined, final: boolean): void {
    const { onProgress, progressIntervalMs = DEFAULT_PROGRESS_INTERVAL_MS } = this.options;
    if (!onProgress) return;
    const now = performance.now();
    if (!final && now - this.lastProgress < progressIntervalMs) return;
    this.lastProgress = now;
    const bytes = final && totalBytes !== undefined ? totalBytes : this.bytes;
    onProgress({ files: this.files, records: this.counts.records, bytes, ...(totalBytes !== undefined ? { totalBytes } : {}) });
  }

  private add(counts: VulnUpsertCounts): void {
    this.counts.added += counts.added;
    this.counts.updated += counts.updated;
    this.counts.unchanged += counts.unchanged;
  }
}

/** One line for `berth vulndb import` to print while it runs. */
export function formatImportProgress(progress: ImportProgress): string {
  const read = progress.totalBytes ? `${((100 * progress.bytes) / progress.totalBytes).toFixed(0)}% of ${(progress.totalBytes / MiB).toFixed(1)} MiB` : `${(progress.bytes / MiB).toFixed(1)} MiB`;
  return `${progress.records} records from ${progress.files} files (${read})`;
}

/** `berth vulndb import`'s report. */
export function formatImportResult(result: ImportOsvResult, state?: VulnDbState): string {
  const lines = [
    `imported: ${result.records} records: ${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged; ${result.skipped} files skipped`,
    `generation ${result.generation}${state ? `, ${state.records} records in the database` : ''}`,
  ];
  return lines.join('\n');
}
