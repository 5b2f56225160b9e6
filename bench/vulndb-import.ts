// `node --import tsx bench/vulndb-import.ts`: `berth vulndb import` of a generated OSV all.zip of
// 100,000 records (zip64, as OSV's combined all.zip) into a fresh SQLite database in a temporary
// folder: records per second, and the resident memory while it runs, which must stay flat (the zip is
// streamed entry by entry and records are written in batches, never all held). Then the same import
// again, which changes nothing. Each import runs in a process of its own, so that its memory is its own
// (generating the zip takes more). Not a test: figures are printed, never asserted.
//
//   BENCH_VULNDB_RECORDS=100000   records in the zip
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqlite } from '../src/metadata/dialects/sqlite.js';
import type { OsvRecord } from '../src/scanning/osv.js';
import { importOsv, type ImportOsvResult } from '../src/scanning/vulndb/import-osv.js';
import { generatedRecord } from '../test/helpers/osv-records.js';
import { ZipWriter } from '../test/helpers/zip-writer.js';

const RECORDS = Number(process.env.BENCH_VULNDB_RECORDS ?? 100_000);
const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** A record of the size OSV's are (a few KiB: versions listed, severity, references). */
function benchRecord(i: number): OsvRecord {
  const base = generatedRecord(i);
  const versions = Array.from({ length: 40 }, (_, v) => `1.${Math.floor(v / 10)}.${v % 10}`);
  return {
    ...base,
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: base.affected!.map((a) => ({ ...a, versions, database_specific: { source: `https://example.invalid/osv/${base.id}.json` } })),
    references: Array.from({ length: 5 }, (_, r) => ({ type: 'WEB', url: `https://example.invalid/advisories/${i}/reference-${r}` })),
  };
}

function generateZip(file: string): void {
  const zip = new ZipWriter(file);
  for (let i = 0; i < RECORDS; i++) zip.add(`${generatedRecord(i).id}.json`, JSON.stringify(benchRecord(i), null, 2));
  zip.close();
}

interface Run {
  result: ImportOsvResult;
  seconds: number;
  peakRss: number;
  /** RSS at each tenth of the zip read. */
  rssByTenth: number[];
}

async function run(dbFile: string, zip: string): Promise<Run> {
  const metadata = await openSqlite(dbFile);
  let peakRss = process.memoryUsage.rss();
  const rssByTenth: number[] = [];
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
  // The synchronous SQLite driver blocks the event loop while it commits; progress samples in between.
  const timer = setInterval(sample, 20);
  const started = performance.now();
  try {
    const result = await importOsv(metadata, zip, {
      progressIntervalMs: 50,
      onProgress: (p) => {
        sample();
        const tenth = Math.floor((10 * p.bytes) / (p.totalBytes ?? 1));
        while (rssByTenth.length < tenth) rssByTenth.push(process.memoryUsage.rss());
      },
    });
    return { result, seconds: (performance.now() - started) / 1000, peakRss, rssByTenth };
  } finally {
    clearInterval(timer);
    await metadata.close();
  }
}

function report(label: string, r: Run): void {
  process.stdout.write(
    `${label}: ${r.result.records} records in ${r.seconds.toFixed(1)} s = ${Math.round(r.result.records / r.seconds)} records/s ` +
      `(added ${r.result.added}, updated ${r.result.updated}, unchanged ${r.result.unchanged}, skipped ${r.result.skipped}; generation ${r.result.generation})\n` +
      `  peak RSS ${mib(r.peakRss)}; RSS at each tenth of the zip: ${r.rssByTenth.map((b) => (b / MiB).toFixed(0)).join(' ')} MiB\n`,
  );
}

/**
 * The process's peak RSS as Linux counts it (VmHWM: of this program, unlike getrusage's maxrss, which
 * keeps the forking parent's); elsewhere 0, and the samples taken while importing tell.
 */
function highWaterRss(): number {
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib ? Number(kib) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the import in a child process (this script with `--import ZIP DB`), which prints its Run as JSON. */
function runInChild(dbFile: string, zip: string): Run {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--import', zip, dbFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`the import process failed (${child.status ?? child.signal})`);
  return JSON.parse(child.stdout) as Run;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-vulndb-'));
  try {
    const zip = path.join(dir, 'all.zip');
    const generated = performance.now();
    generateZip(zip);
    process.stdout.write(`generated ${RECORDS} records: ${mib(statSync(zip).size)} zip in ${((performance.now() - generated) / 1000).toFixed(1)} s\n`);
    const dbFile = path.join(dir, 'berth.db');
    report('import into a fresh SQLite database', runInChild(dbFile, zip));
    report('the same zip again (nothing changes)', runInChild(dbFile, zip));
    process.stdout.write(`database file ${mib(statSync(dbFile).size)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--import');
if (at >= 0) {
  const result = await run(process.argv[at + 2]!, process.argv[at + 1]!);
  process.stdout.write(JSON.stringify({ ...result, peakRss: Math.max(result.peakRss, highWaterRss()) }));
} else {
  await main();
}
