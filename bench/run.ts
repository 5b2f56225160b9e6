// `npm run bench`: Berth side by side with CNCF Distribution (Debian's docker-registry), in the same run, each
// on a fresh temp dir; the disk's fsync write speed; and a huge-blob push that checks Berth's memory stays flat.
// Not a test: a missed target is reported, never fatal. The exit code is non-zero only when something errors.
//
//   BENCH_LARGE_MIB=1024   size of the large blob (push monolithic and chunked, pull whole and in ranges)
//   BENCH_HUGE_MIB=4096    size of the blob pushed to Berth alone to measure its peak RSS
//   BENCH_SKIP_HUGE=1      skip that run
//   BENCH_GET_SECONDS=15   duration of each round of the manifest GET load (wrk, 64 connections)
//   BENCH_WARMUP_IMAGES=600  small images each server pushes and pulls before anything is measured, after one
//                          large blob (see warmUp)
//   BENCH_ROUNDS=3         rounds of each transfer step (push, pull, push-many, pull-many) and of the manifest GET
//                          load, the servers taking turns (in the other order every other round); each figure is
//                          the median of its rounds (this VM's disk and memory drift a lot)
//   BERTH_LOG_LEVEL=info   Berth's log level (its log goes to a file in the temp dir)
//   BENCH_BERTH_NODE_ARGS  extra flags for Berth's node process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//
// BENCH_BACKEND=scale-out compares Berth on PostgreSQL + S3 (one node, and two nodes behind a round-robin TCP
// balancer) with Distribution on its s3 driver, all on one S3 server (see bench/scale-out.ts). The large blob
// defaults to 256 MiB there (moto keeps objects in memory), the huge run is skipped unless BENCH_SKIP_HUGE=0,
// there is no disk speed to compare with, and the results go to bench/results/latest-scale-out.json.
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres   where the throwaway databases are made
//   BENCH_S3_ENDPOINT=http://…   an S3 server to use instead of starting moto_server on a free port
//   BENCH_S3_REDIRECT=0          blob GETs stream through the registries instead of redirecting to S3
//
// Clients: ../shared/bench/regbench.mjs (one scenario per process, one JSON line), bench/pull-ranged.ts and wrk.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { embeddedBackend, type Backend } from './deployments.js';
import { exec, execJson } from './exec.js';
import { DEFAULT_DATABASE_URL } from './postgres.js';
import { scaleOutBackend, type ScaleOutBackend } from './scale-out.js';
import { authHeaders, DISTRIBUTION_BIN, killAll, logTail, measure, round, type Server } from './servers.js';
import { median, medianOf, summarize, table, type Measured, type Metrics, type Results } from './summary.js';
import { runWrk } from './wrk.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const REGBENCH = path.resolve(root, '..', 'shared', 'bench', 'regbench.mjs');
const MiB = 1 << 20;
const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}

const backendName = process.env.BENCH_BACKEND || 'embedded';
if (backendName !== 'embedded' && backendName !== 'scale-out') throw new Error(`BENCH_BACKEND must be embedded or scale-out, got "${backendName}"`);
const scaleOut = backendName === 'scale-out';
const scaleOutSettings = {
  databaseUrl: process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL,
  redirect: process.env.BENCH_S3_REDIRECT !== '0',
};

const cfg = {
  largeMiB: envInt('BENCH_LARGE_MIB', scaleOut ? 256 : 1024),
  hugeMiB: envInt('BENCH_HUGE_MIB', 4096),
  skipHuge: process.env.BENCH_SKIP_HUGE === '1' || (scaleOut && process.env.BENCH_SKIP_HUGE !== '0'),
  images: 200,
  warmupImages: envInt('BENCH_WARMUP_IMAGES', 600),
  concurrency: 16,
  getSeconds: envInt('BENCH_GET_SECONDS', 15),
  rounds: envInt('BENCH_ROUNDS', 3),
  getConnections: 64,
  tags: 1000,
  berthLogLevel: process.env.BERTH_LOG_LEVEL ?? 'info',
};

interface Step {
  name: string;
  /** Run in every round, the servers taking turns (the transfer steps); else once per server. */
  rounds?: boolean;
  run(s: Server): Promise<{ metrics: Metrics; raw: unknown; error?: string }>;
}

function pick(r: Record<string, unknown>, keys: Record<string, string>): Metrics {
  const out: Metrics = {};
  for (const [as, key] of Object.entries(keys)) {
    const v = r[key];
    if (typeof v !== 'number') throw new Error(`no number "${key}" in ${JSON.stringify(r)}`);
    out[as] = v;
  }
  return out;
}

/** On S3 both registries answer blob GETs with 307 to a presigned URL, which regbench alone does not follow. */
const FOLLOW_REDIRECTS = ['--import', 'tsx', '--import', pathToFileURL(path.join(root, 'bench', 'follow-redirects.ts')).href];

async function regbench(s: Server, scenario: string, keys: Record<string, string>, ...args: string[]) {
  const auth = s.password ? ['--user', 'AWS', '--pass', s.password] : [];
  const preload = scaleOut ? FOLLOW_REDIRECTS : [];
  const raw = await execJson(process.execPath, [...preload, REGBENCH, '--url', s.url, '--scenario', scenario, '--max-s', '900', ...auth, ...args], 930_000, scaleOut ? root : undefined);
  return { metrics: pick(raw, keys), raw };
}

const lat = { p50_ms: 'p50_ms', p99_ms: 'p99_ms' };
const STEPS: Step[] = [
  { name: 'push-large', rounds: true, run: (s) => regbench(s, 'push-large', { mono_mibps: 'mono_mibps', chunked_mibps: 'chunked16_mibps' }, '--size', String(cfg.largeMiB)) },
  { name: 'pull-large', rounds: true, run: (s) => regbench(s, 'pull-large', { mibps: 'mibps' }) },
  {
    name: 'pull-ranged',
    rounds: true,
    run: async (s) => {
      const raw = await execJson(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'pull-ranged.ts'), s.url, 'bench/large', 'latest', authHeaders(s).authorization ?? ''], 600_000, root);
      return { metrics: pick(raw, { mibps: 'mibps', ...lat }), raw };
    },
  },
  { name: 'push-many', rounds: true, run: (s) => regbench(s, 'push-many', { images_per_s: 'images_per_s', ...lat }, '--n', String(cfg.images), '--c', String(cfg.concurrency)) },
  { name: 'pull-many', rounds: true, run: (s) => regbench(s, 'pull-many', { images_per_s: 'images_per_s', ...lat }, '--n', String(cfg.images), '--c', String(cfg.concurrency)) },
  {
    name: 'manifest-get',
    rounds: true,
    run: async (s) => {
      // A manifest push-many made; check it answers before loading it.
      const url = `${s.url}/v2/bench/many/manifests/t0`;
      const check = await fetch(url, { headers: { accept: ACCEPT, ...authHeaders(s) }, signal: AbortSignal.timeout(10_000) });
      const body = await check.text();
      if (check.status !== 200) throw new Error(`GET ${url} (Accept: ${ACCEPT}): HTTP ${check.status} ${body.slice(0, 300)}`);
      const w = await runWrk(url, { connections: cfg.getConnections, threads: 2, seconds: cfg.getSeconds, headers: { Accept: ACCEPT, ...authHeaders(s) } });
      const { output, ...rest } = w;
      const error = w.errors > 0 ? `wrk GET ${url}: ${w.errors} of ${w.requests + w.errors} requests failed (non-2xx or socket errors):\n${output}` : undefined;
      return { metrics: { rps: w.rps, p50_ms: w.p50_ms, p99_ms: w.p99_ms, errors: w.errors }, raw: { ...rest, url, wrk_output: output }, error };
    },
  },
  {
    name: 'tags-list',
    run: (s) => regbench(s, 'tags-list', { full_p50_ms: 'full_p50_ms', full_p99_ms: 'full_p99_ms', n100_p50_ms: 'n100_p50_ms', n100_count: 'n100_count', tag_puts_per_s: 'tag_puts_per_s' }, '--n', String(cfg.tags)),
  },
];

const errors: { server: string; step: string; error: string }[] = [];
/** Set on SIGINT or SIGTERM: the steps still running fail as their servers go; that is not worth reporting. */
let stopping = false;

function fail(server: Server | string, step: string, err: unknown): void {
  if (stopping) return;
  const name = typeof server === 'string' ? server : server.name;
  const error = err instanceof Error ? err.message : String(err);
  errors.push({ server: name, step, error });
  process.stdout.write(`  ERROR ${step} on ${name}: ${error}\n`);
  if (typeof server === 'string') return;
  for (const file of server.logFiles) {
    const of = server.logFiles.length > 1 ? path.basename(file, '.log') : server.name;
    process.stdout.write(`  last lines of ${of}'s log:\n${logTail(file, 1500)}\n`);
  }
}

/** The width of the server column in the progress lines. */
let nameWidth = 13;

/** Runs one step against one server, measuring its RSS and CPU; `sync`s afterwards so no step inherits dirty pages. */
async function runStep(step: Step, s: Server): Promise<Measured | undefined> {
  try {
    const { result, usage } = await measure(s.pids, () => step.run(s));
    const m = Object.entries(result.metrics).map(([k, v]) => `${k}=${v}`).join(' ');
    const perNode = usage.nodes ? ` (nodes ${usage.nodes.map((n) => n.peak_rss_mib).join(' / ')})` : '';
    process.stdout.write(`  ${step.name.padEnd(13)} ${s.name.padEnd(nameWidth)} ${m} | peak RSS ${usage.peak_rss_mib} MiB${perNode}, server CPU ${usage.server_cpu_s} s in ${usage.wall_s} s\n`);
    if (result.error) fail(s, step.name, new Error(result.error));
    return { metrics: result.metrics, usage, raw: result.raw };
  } catch (err) {
    fail(s, step.name, err);
    return undefined;
  } finally {
    await exec('sync', [], { timeoutMs: 120_000 });
  }
}

/**
 * One large push and pull, then small pushes and pulls, into repositories of their own before anything is
 * measured, so that the figures are of a warm server, not of a cold start: Node compiles its hot code as it
 * runs (Go needs no warming).
 * Why 600 images: V8 was still optimizing functions through the first 600–800 (measured with
 * --trace-opt: 178, 121, 53 and 30 functions marked in four rounds of 200), and a push-many round after a
 * warm-up of 100 ran at two thirds of the third round's speed.
 * Why a large blob first: the first large transfers of a process change the hidden classes of Node's
 * streams (and a byte counter outgrows a small integer), which throws away the optimized code of ~100
 * functions the small requests use: without it, the first push-many round after the large steps ran at
 * 150–175 images/s and the next two at ~200, where later rounds ran at 230 (with --trace-opt: 122, then 45
 * functions optimized again). It happens once in a process's life: rounds right after a second and a third
 * large push and pull ran at full speed. The warm-up's own figures are kept (cold start).
 */
async function warmUp(s: Server): Promise<Record<string, number> | undefined> {
  const t = performance.now();
  const prefix = ['--repo-prefix', 'warmup'];
  try {
    const figures: Record<string, number> = {};
    const large = await regbench(s, 'push-large', { mono_mibps: 'mono_mibps' }, '--size', String(cfg.largeMiB), ...prefix);
    figures['push-large_mono_mibps'] = large.metrics.mono_mibps!;
    await regbench(s, 'pull-large', {}, ...prefix);
    for (const scenario of ['push-many', 'pull-many']) {
      const { raw } = await regbench(s, scenario, {}, '--n', String(cfg.warmupImages), '--c', String(cfg.concurrency), ...prefix);
      figures[`${scenario}_images_per_s`] = Number(raw.images_per_s);
    }
    const rates = `${figures['push-many_images_per_s']} / ${figures['pull-many_images_per_s']} images/s`;
    process.stdout.write(`  warm-up       ${s.name.padEnd(nameWidth)} ${cfg.largeMiB} MiB pushed (${figures['push-large_mono_mibps']} MiB/s) and pulled, ${cfg.warmupImages} small images pushed and pulled (${rates}) in ${round((performance.now() - t) / 1000)} s (not measured)
`);
    return figures;
  } catch (err) {
    fail(s, 'warm-up', err);
    return undefined;
  }
}

async function fsyncSpeed(dir: string, mib: number) {
  const file = path.join(dir, 'dd.bin');
  const args = ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mib}`, 'conv=fdatasync'];
  const r = await exec('dd', args, { timeoutMs: 600_000, env: { ...process.env, LC_ALL: 'C' } });
  rmSync(file, { force: true });
  const m = /(\d+) bytes .*copied, ([\d.e+-]+) s/.exec(r.stderr);
  if (r.code !== 0 || !m) throw new Error(`dd ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  const s = Number(m[2]);
  return { command: `dd ${args.join(' ')}`, mib, s, mibps: round(Number(m[1]) / MiB / s) };
}

// ---------- main ----------

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
/** Set once main has made it: its close() stops the S3 server and drops what is left in PostgreSQL. */
let backend: Backend | undefined;
const cleanup = async () => {
  killAll();
  try {
    await backend?.close();
  } catch (err) {
    if (stopping) process.stderr.write(`bench: cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
    else fail('bench', 'cleanup', err);
  }
  backend = undefined;
  rmSync(tmp, { recursive: true, force: true });
};
process.on('exit', killAll);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
    stopping = true;
    const deadline = new Promise((resolve) => setTimeout(resolve, 15_000));
    void Promise.race([cleanup(), deadline]).finally(() => process.exit(code));
  });
}

async function main(): Promise<void> {
  for (const [what, file] of [['regbench', REGBENCH], ['Distribution', DISTRIBUTION_BIN], ['wrk', '/usr/bin/wrk']]) {
    if (!existsSync(file!)) throw new Error(`${what} is missing: ${file}`);
  }
  const started = new Date().toISOString();
  const loadStart = os.loadavg().map((x) => round(x));
  const host = {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model,
    mem_gib: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    distribution: (await exec(DISTRIBUTION_BIN, ['--version'], { timeoutMs: 10_000 })).stdout.trim(),
    berth_commit: (await exec('git', ['rev-parse', '--short', 'HEAD'], { timeoutMs: 10_000, cwd: root })).stdout.trim(),
  };
  process.stdout.write(`Berth bench: ${JSON.stringify(cfg)}\n  ${host.cpus} CPUs, load average ${loadStart.join(' ')}, temp dir ${tmp}\n`);

  let facts: ScaleOutBackend['facts'] | undefined;
  if (scaleOut) {
    const b = await scaleOutBackend(root, tmp, scaleOutSettings);
    backend = b;
    facts = b.facts;
    const redirects = facts.redirect ? 'on: blob GETs answer 307 to presigned S3 URLs, which the clients follow' : 'off: blob GETs stream through the registries';
    process.stdout.write(`  scale-out: S3 at ${facts.s3.endpoint} (${facts.s3.origin}), bucket ${facts.s3.bucket}; PostgreSQL at ${facts.postgres}; redirects ${redirects}\n`);
  } else {
    backend = embeddedBackend(root, tmp);
  }

  // The disk's speed drifts over minutes here (a VM disk; and the first write after memory was freed runs at
  // several times the steady speed), so it is measured three times just before and three times just after the
  // large pushes, and the median is the reference. Not in scale-out mode: the bytes go to the S3 server's memory.
  const ddRuns: Awaited<ReturnType<typeof fsyncSpeed>>[] = [];
  const measureDisk = async () => {
    if (scaleOut) return;
    try {
      for (let i = 0; i < 3; i++) {
        const d = await fsyncSpeed(tmp, cfg.largeMiB);
        ddRuns.push(d);
        process.stdout.write(`  disk          ${d.mibps} MiB/s writing ${d.mib} MiB with fdatasync (${d.command})\n`);
      }
    } catch (err) {
      fail('dd', 'fsync-speed', err);
    }
  };

  const results: Record<string, Results> = {};
  const idle: Record<string, number> = {};
  const servers: Server[] = [];
  for (const d of backend.deployments) servers.push(await d.start());
  nameWidth = Math.max(13, ...servers.map((s) => s.name.length + 1));
  for (const s of servers) {
    results[s.name] = {};
    const { usage } = await measure(s.pids, async () => undefined);
    idle[s.name] = usage.peak_rss_mib;
    const nodes = usage.nodes ? ` (nodes ${usage.nodes.map((n) => n.peak_rss_mib).join(' / ')})` : '';
    process.stdout.write(`  ${s.name} pid${s.pids.length > 1 ? 's' : ''} ${s.pids.join(', ')} at ${s.url}, idle RSS ${usage.peak_rss_mib} MiB${nodes}\n`);
  }
  const warmups: Record<string, Record<string, number> | undefined> = {};
  for (const s of servers) warmups[s.name] = await warmUp(s);
  for (const step of STEPS) {
    if (step.name === 'push-large') await measureDisk();
    const runs = new Map<string, Measured[]>(servers.map((s) => [s.name, []]));
    for (let round = 0; round < (step.rounds ? cfg.rounds : 1); round++) {
      // Every other round in the other order, so neither server always runs on the other's leftovers.
      for (const s of round % 2 ? [...servers].reverse() : servers) {
        const m = await runStep(step, s);
        if (m) runs.get(s.name)!.push(m);
      }
    }
    for (const s of servers) results[s.name]![step.name] = medianOf(runs.get(s.name)!);
    if (step.name === 'push-large') await measureDisk();
  }
  const disk = ddRuns.length ? { mibps: round(median(ddRuns.map((d) => d.mibps))), runs: ddRuns } : undefined;
  const balanced: Record<string, number[]> = {};
  for (const s of servers.filter((x) => x.connections)) {
    balanced[s.name] = [...s.connections!];
    process.stdout.write(`  ${s.name}: the balancer handed ${s.connections!.join(' / ')} client connections to its nodes\n`);
  }
  for (const s of servers) await s.stop();
  for (const d of backend.deployments) await d.remove();

  const huge: Results = {};
  if (!cfg.skipHuge) {
    const d = backend.huge();
    const s = await d.start();
    const steps: Step[] = [
      { name: 'push-huge', run: (x) => regbench(x, 'push-large', { mono_mibps: 'mono_mibps', chunked_mibps: 'chunked16_mibps' }, '--size', String(cfg.hugeMiB)) },
      { name: 'pull-huge', run: (x) => regbench(x, 'pull-large', { mibps: 'mibps' }) },
    ];
    for (const step of steps) huge[step.name] = await runStep(step, s);
    await s.stop();
    await d.remove();
  }

  const columns = servers.map((s) => ({ key: s.name, label: s.label, berth: s.kind === 'berth' }));
  const { head, rows } = summarize({ cfg, columns, results, huge, disk: scaleOut ? null : disk });
  process.stdout.write(`\nratio > 1 means Berth is better (throughput Berth/Distribution; latency and memory Distribution/Berth); push, pull, push-many, pull-many and manifest GET figures are medians of ${cfg.rounds} rounds\n${table(head, rows)}\n`);
  if (scaleOut) {
    process.stdout.write(`peak RSS of a deployment with several nodes is its largest node's; no "% of disk speed" rows: the bytes go to the S3 server, not this disk\n`);
  }
  const loadEnd = os.loadavg().map((x) => round(x));
  process.stdout.write(`load average at start ${loadStart.join(' ')}, at end ${loadEnd.join(' ')}\n`);

  const extra = facts ? { backend: { name: backendName, ...facts, balancer_connections: balanced } } : {};
  const out = { started, finished: new Date().toISOString(), host, config: cfg, ...extra, load_average: { start: loadStart, end: loadEnd }, disk, idle_rss_mib: idle, warmup: warmups, results, huge, summary: rows, errors };
  const dir = path.join(root, 'bench', 'results');
  const file = scaleOut ? 'latest-scale-out.json' : 'latest.json';
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(`raw results: bench/results/${file}\n`);
}

try {
  await main();
} catch (err) {
  fail('bench', 'main', err);
} finally {
  await cleanup();
}
if (errors.length) {
  process.stdout.write(`\n${errors.length} error(s):\n${errors.map((e) => `  ${e.step} on ${e.server}: ${e.error.split('\n')[0]}`).join('\n')}\n`);
  process.exitCode = 1;
}
