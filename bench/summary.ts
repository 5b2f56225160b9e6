// The summary table: one row per figure, one column per server, and the ratio of each Berth column to
// Distribution's against the performance targets (which are defined relative to Distribution).
import { round, type Usage } from './servers.js';

export type Metrics = Record<string, number>;
export interface Measured {
  metrics: Metrics;
  usage: Usage;
  raw: unknown;
}
/** One server's figures, by step name. */
export type Results = Record<string, Measured | undefined>;

export const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * One figure per metric from several rounds of a step: the median of each (so one slow round, when
 * the disk is flushing or the host is busy, does not decide a ratio); the peak RSS is the highest.
 */
export function medianOf(runs: Measured[]): Measured | undefined {
  if (runs.length === 0) return undefined;
  if (runs.length === 1) return runs[0];
  const metrics: Metrics = {};
  for (const key of Object.keys(runs[0]!.metrics)) metrics[key] = round(median(runs.map((r) => r.metrics[key]!)));
  const usage = {
    peak_rss_mib: Math.max(...runs.map((r) => r.usage.peak_rss_mib)),
    server_cpu_s: round(median(runs.map((r) => r.usage.server_cpu_s))),
    wall_s: round(median(runs.map((r) => r.usage.wall_s))),
  };
  return { metrics, usage, raw: { rounds: runs.map((r) => ({ metrics: r.metrics, usage: r.usage, raw: r.raw })) } };
}

export interface Column {
  /** The server's key in the results. */
  key: string;
  label: string;
  berth: boolean;
}

/** A row's cells by column key (scenario, each server, each ratio, target). */
export type Row = Record<string, string>;

export interface SummaryConfig {
  largeMiB: number;
  hugeMiB: number;
  skipHuge: boolean;
  images: number;
  concurrency: number;
  getSeconds: number;
  getConnections: number;
  tags: number;
}

export interface SummaryInput {
  cfg: SummaryConfig;
  /** The Berth columns first, Distribution's last. */
  columns: Column[];
  results: Record<string, Results>;
  /** The huge-blob run, on the first Berth column's kind of deployment. */
  huge: Results;
  /** The disk's fsync speed; `null` leaves out the "% of disk speed" rows (the bytes do not go to this disk). */
  disk: { mibps: number } | undefined | null;
}

const fmt = (x: number | undefined, unit = '') => (x === undefined ? '—' : `${x >= 100 ? Math.round(x) : round(x, 1)}${unit}`);
const mark = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? ' ✔' : ' ✘');

/** The ratio columns: "ratio" when one Berth column is compared, else one per Berth column. */
function ratioColumns(columns: Column[]): { key: string; head: string; of: Column }[] {
  const berths = columns.filter((c) => c.berth);
  if (berths.length === 1) return [{ key: 'ratio', head: 'ratio', of: berths[0]! }];
  return berths.map((c) => ({ key: `ratio_${c.key}`, head: `ratio ${c.label.replace(/^Berth\s*/, '') || c.label}`, of: c }));
}

export function summarize({ cfg, columns, results, huge, disk }: SummaryInput): { head: Row; rows: Row[] } {
  const ratios = ratioColumns(columns);
  const dist = columns.find((c) => !c.berth);
  const berths = ratios.map((r) => r.of);
  const head: Row = { scenario: 'scenario' };
  for (const c of columns) head[c.key] = c.label;
  for (const r of ratios) head[r.key] = r.head;
  head.target = 'target';

  const rows: Row[] = [];
  const v = (c: Column | undefined, step: string, key: string) => (c ? results[c.key]?.[step]?.metrics[key] : undefined);
  /** A ✔ or ✘ per Berth column (nothing where there is no figure), as the target cell shows them. */
  const marks = (ok: (b: Column) => boolean | undefined) => berths.map((b) => mark(ok(b))).join('');
  const given = <T,>(x: T | undefined, f: (x: T) => boolean) => (x === undefined ? undefined : f(x));

  /** ratio > 1 means Berth is better: Berth/Dist for throughput, Dist/Berth for latency and memory. */
  const add = (scenario: string, step: string, key: string, unit: string, opts: { lower?: boolean; min?: number; latency?: boolean } = {}) => {
    const ratioOf = (b: Column) => {
      const [x, y] = [v(b, step, key), v(dist, step, key)];
      return x !== undefined && y !== undefined && x > 0 && y > 0 ? (opts.lower ? y / x : x / y) : undefined;
    };
    const r: Row = { scenario };
    for (const c of columns) {
      const val = v(c, step, key);
      r[c.key] = fmt(val, unit) + (opts.latency && val !== undefined ? ` (p50 ${fmt(v(c, step, 'p50_ms'))} / p99 ${fmt(v(c, step, 'p99_ms'))} ms)` : '');
    }
    for (const x of ratios) {
      const q = ratioOf(x.of);
      r[x.key] = q === undefined ? '—' : `${round(q)}×`;
    }
    const min = opts.min;
    r.target = min === undefined ? '—' : `≥${min}×${marks((b) => given(ratioOf(b), (q) => q >= min))}`;
    rows.push(r);
  };
  const ofDisk = (scenario: string, key: string) => {
    if (disk === null) return;
    const pct = (c: Column) => (disk && v(c, 'push-large', key) !== undefined ? (100 * v(c, 'push-large', key)!) / disk.mibps : undefined);
    const r: Row = { scenario };
    for (const c of columns) r[c.key] = fmt(pct(c), '%');
    for (const x of ratios) r[x.key] = '—';
    r.target = `≥70%${marks((b) => given(pct(b), (p) => p >= 70))}`;
    rows.push(r);
  };

  const L = cfg.largeMiB;
  add(`push ${L} MiB, monolithic PUT (MiB/s)`, 'push-large', 'mono_mibps', '', { min: 2 });
  ofDisk(`  … as % of fsync disk speed (${fmt(disk?.mibps)} MiB/s, dd)`, 'mono_mibps');
  add(`push ${L} MiB, 16 MiB PATCH chunks (MiB/s)`, 'push-large', 'chunked_mibps', '', { min: 2 });
  ofDisk(`  … as % of fsync disk speed`, 'chunked_mibps');
  add(`pull ${L} MiB, one GET (MiB/s)`, 'pull-large', 'mibps', '', { min: 1 });
  add(`pull ${L} MiB, 16 MiB Range GETs (MiB/s)`, 'pull-ranged', 'mibps', '', { min: 1, latency: true });
  add(`push ${cfg.images} small images, c=${cfg.concurrency} (images/s)`, 'push-many', 'images_per_s', '', { min: 3, latency: true });
  add(`pull ${cfg.images} small images, c=${cfg.concurrency} (images/s)`, 'pull-many', 'images_per_s', '', { min: 3, latency: true });
  add(`manifest GET, wrk c=${cfg.getConnections} ${cfg.getSeconds} s (req/s)`, 'manifest-get', 'rps', '', { min: 5, latency: true });
  add(`tags/list, ${cfg.tags} tags, p50 (ms)`, 'tags-list', 'full_p50_ms', '', { lower: true });
  add(`tags/list, ${cfg.tags} tags, p99 (ms)`, 'tags-list', 'full_p99_ms', '', { lower: true });
  add(`tags/list?n=100, p50 (ms)`, 'tags-list', 'n100_p50_ms', '', { lower: true });
  const n100 = v(dist, 'tags-list', 'n100_count');
  if (dist && n100 !== undefined && n100 !== 100) {
    const last = rows[rows.length - 1]!;
    last[dist.key] = `n ignored: all ${n100} tags`;
    for (const x of ratios) last[x.key] = '—';
  }

  const peak = (c: Column | undefined) => {
    const all = Object.values((c && results[c.key]) ?? {}).flatMap((m) => (m ? [m.usage.peak_rss_mib] : []));
    return all.length ? Math.max(...all) : undefined;
  };
  const pd = peak(dist);
  const rss: Row = { scenario: 'server peak RSS, all of the above (MiB)' };
  for (const c of columns) rss[c.key] = fmt(peak(c));
  for (const x of ratios) {
    const pb = peak(x.of);
    rss[x.key] = pb && pd ? `${round(pd / pb)}×` : '—';
  }
  rss.target = `< 200 MiB${marks((b) => given(peak(b), (p) => p < 200))}`;
  rows.push(rss);

  if (!cfg.skipHuge) {
    for (const [step, what] of [['push-huge', `push ${cfg.hugeMiB} MiB, monolithic + chunked`], ['pull-huge', `pull ${cfg.hugeMiB} MiB`]] as const) {
      const m = huge[step];
      const speed = step === 'push-huge' ? `${fmt(m?.metrics.mono_mibps)} / ${fmt(m?.metrics.chunked_mibps)} MiB/s` : `${fmt(m?.metrics.mibps)} MiB/s`;
      const r: Row = { scenario: `server peak RSS, ${what} (MiB)` };
      columns.forEach((c, i) => (r[c.key] = i === 0 ? `${fmt(m?.usage.peak_rss_mib)} (${speed})` : '—'));
      for (const x of ratios) r[x.key] = '—';
      r.target = `< 200 MiB${mark(m ? m.usage.peak_rss_mib < 200 : undefined)}`;
      rows.push(r);
    }
  }
  return { head, rows };
}

/** The rows as a Markdown table, columns in the head's order. */
export function table(head: Row, rows: Row[]): string {
  const cols = Object.keys(head);
  const cell = (r: Row, c: string) => r[c] ?? '';
  const width = (c: string) => Math.max(...[head, ...rows].map((r) => [...cell(r, c)].length));
  const line = (r: Row) => `| ${cols.map((c) => cell(r, c) + ' '.repeat(width(c) - [...cell(r, c)].length)).join(' | ')} |`;
  return [line(head), `|${cols.map((c) => '-'.repeat(width(c) + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
