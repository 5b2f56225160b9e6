// Starts and stops the registries under test, and samples a server's peak RSS and CPU time from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

export const DISTRIBUTION_BIN = '/usr/bin/docker-registry';

export interface Server {
  /** A registry under test, or the S3 server (moto_server) the scale-out mode starts. */
  readonly kind: 'berth' | 'distribution' | 's3';
  /** Its key in the results (berth, distribution, …). */
  readonly name: string;
  /** Its column in the summary table (Berth, Distribution, …). */
  readonly label: string;
  readonly url: string;
  /** The processes that serve it: one, or every node behind a load balancer. */
  readonly pids: readonly number[];
  readonly logFiles: readonly string[];
  /** The registry password for Basic `AWS:<password>` (Berth: an ECR authorization token), or undefined for an open registry. */
  password?: string;
  /** Behind a load balancer: the connections it has handed to each node so far. */
  readonly connections?: readonly number[];
  /** SIGTERM, then SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** Synchronous last resort for exit and signal handlers. */
  kill(): void;
}

const live = new Set<Server>();
/** Kills every server still running (for exit and signal handlers). */
export function killAll(): void {
  for (const s of live) s.kill();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function logTail(file: string, bytes = 2000): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

interface Launch {
  kind: Server['kind'];
  name: string;
  label: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Where its log file goes. */
  dir: string;
  port: number;
  /** Ready once a GET of this path answers 200. */
  readyPath: string;
}

/** Spawns a server process, logging to `<dir>/<name>.log`, and waits until it is ready. */
export async function launch({ kind, name, label, cmd, args, env, dir, port, readyPath }: Launch): Promise<Server> {
  const logFile = path.join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(cmd, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;
  const server: Server = {
    kind,
    name,
    label,
    url,
    pids: [child.pid ?? 0],
    logFiles: [logFile],
    async stop() {
      if (running()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(server);
    },
    kill() {
      if (running()) child.kill('SIGKILL');
      live.delete(server);
    },
  };
  live.add(server);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (!running()) break;
    try {
      if ((await fetch(url + readyPath, { signal: AbortSignal.timeout(2000) })).status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`${name} did not become ready at ${url}${readyPath} in 20 s; log:\n${logTail(logFile)}`);
}

const BENCH_KEY = { accessKeyId: 'AKIABENCHROOTKEY0000', secretAccessKey: 'bench/root/secret/access/key/000000000000' };

export interface BerthOptions {
  name?: string;
  label?: string;
  /** Added to its environment: BERTH_DATABASE_URL, BERTH_STORAGE_URL, BERTH_MASTER_KEY, AWS_* and so on. */
  env?: Record<string, string>;
}

/**
 * `node bin/berth.js serve` on a fresh data dir; BERTH_LOG_LEVEL defaults to info (realistic). Berth is
 * private, as deployed: the benchmark logs in the ECR way (GetAuthorizationToken, then Basic AWS:<password>
 * on every request), so authentication is part of every figure.
 */
export async function startBerth(root: string, dir: string, opts: BerthOptions = {}): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BERTH_')));
  env.BERTH_LOG_LEVEL = process.env.BERTH_LOG_LEVEL ?? 'info';
  env.BERTH_ADMIN_ACCESS_KEY_ID = BENCH_KEY.accessKeyId;
  env.BERTH_ADMIN_SECRET_ACCESS_KEY = BENCH_KEY.secretAccessKey;
  Object.assign(env, opts.env);
  // As `npm start` and the berth command run it (see bin/berth.js).
  // The extra flags come last, so they override the defaults.
  const args = ['--max-semi-space-size=6', '--initial-old-space-size=64', '--max-old-space-size=512', ...(process.env.BENCH_BERTH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), path.join(root, 'bin', 'berth.js'), 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(dir, 'data')];
  const server = await launch({ kind: 'berth', name: opts.name ?? 'berth', label: opts.label ?? 'Berth', cmd: process.execPath, args, env, dir, port, readyPath: '/healthz' });
  const client = new ECRClient({ endpoint: server.url, region: 'us-east-1', credentials: BENCH_KEY });
  try {
    const token = (await client.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken ?? '';
    server.password = Buffer.from(token, 'base64').toString('utf8').slice('AWS:'.length);
  } finally {
    client.destroy();
  }
  return server;
}

/** The Authorization header of a server's password, when it has one. */
export function authHeaders(s: Server): Record<string, string> {
  return s.password ? { authorization: `Basic ${Buffer.from(`AWS:${s.password}`).toString('base64')}` } : {};
}

/** An S3 bucket for Distribution's s3 storage driver. */
export interface DistributionS3 {
  endpoint: string;
  region: string;
  bucket: string;
  rootDirectory: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Blob GETs answer 307 to a presigned S3 URL (Distribution's default with S3), or stream through it. */
  redirect: boolean;
}

function storageConfig(dir: string, s3: DistributionS3 | undefined): string[] {
  if (!s3) return ['  filesystem:', `    rootdirectory: ${path.join(dir, 'data')}`];
  const { protocol } = new URL(s3.endpoint);
  return [
    '  s3:',
    `    region: ${s3.region}`,
    `    regionendpoint: ${s3.endpoint}`,
    `    bucket: ${s3.bucket}`,
    `    rootdirectory: ${s3.rootDirectory}`,
    // Distribution 2.8 ignores this key (it addresses buckets by path whenever regionendpoint is set); 3.x reads it.
    '    forcepathstyle: true',
    `    secure: ${protocol === 'https:'}`,
    '    v4auth: true',
    `    accesskey: ${s3.accessKeyId}`,
    `    secretkey: ${s3.secretAccessKey}`,
    '  redirect:',
    `    disable: ${!s3.redirect}`,
  ];
}

export interface DistributionOptions {
  name?: string;
  label?: string;
  /** S3 storage instead of a folder in `dir`. */
  s3?: DistributionS3;
}

/** CNCF Distribution (Debian's docker-registry) with filesystem storage in a fresh dir, or on S3. */
export async function startDistribution(dir: string, opts: DistributionOptions = {}): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  // The in-memory blob descriptor cache is in the config Debian and upstream ship; without it, Distribution
  // would stat the filesystem on every manifest and blob request.
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      ...storageConfig(dir, opts.s3),
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  // A clean environment: REGISTRY_* variables would override the config file.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  return launch({ kind: 'distribution', name: opts.name ?? 'distribution', label: opts.label ?? 'Distribution', cmd: DISTRIBUTION_BIN, args: ['serve', config], env, dir, port, readyPath: '/v2/' });
}

// ---------- /proc sampling ----------

const CLK_TCK = 100; // Linux USER_HZ

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime + stime
  } catch {
    return 0;
  }
}

export interface Usage {
  /** Peak resident set size during the measurement, MiB (of the largest node when there are several). */
  peak_rss_mib: number;
  /** Server CPU time (user + system) during the measurement, seconds (of all nodes together). */
  server_cpu_s: number;
  wall_s: number;
  /** Each node's figures, when a server has several processes. */
  nodes?: { pid: number; peak_rss_mib: number; server_cpu_s: number }[];
}

/**
 * Follows one process's peak RSS: the kernel's high-water mark (VmHWM, reset through /proc/PID/clear_refs,
 * so it misses nothing), with 100 ms sampling of VmRSS as a fallback.
 */
function sampleProcess(pid: number) {
  let hwm = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    hwm = false; // the high-water mark can't be reset: rely on the sampling alone
  }
  let peak = statusKiB(pid, 'VmRSS');
  const timer = setInterval(() => (peak = Math.max(peak, statusKiB(pid, 'VmRSS'))), 100);
  const cpu0 = cpuSeconds(pid);
  return {
    /** Peak RSS in KiB and CPU seconds so far. */
    read: () => ({ peakKiB: Math.max(peak, statusKiB(pid, 'VmRSS'), hwm ? statusKiB(pid, 'VmHWM') : 0), cpu: cpuSeconds(pid) - cpu0 }),
    stop: () => clearInterval(timer),
  };
}

/** Measures a server's processes while `fn` runs. */
export async function measure<T>(pids: readonly number[], fn: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
  const samplers = pids.map(sampleProcess);
  const t0 = performance.now();
  try {
    const result = await fn();
    const nodes = samplers.map((s, i) => {
      const { peakKiB, cpu } = s.read();
      return { pid: pids[i]!, peak_rss_mib: round(peakKiB / 1024), server_cpu_s: round(cpu) };
    });
    const usage: Usage = {
      peak_rss_mib: Math.max(...nodes.map((n) => n.peak_rss_mib)),
      server_cpu_s: round(nodes.reduce((sum, n) => sum + n.server_cpu_s, 0)),
      wall_s: round((performance.now() - t0) / 1000),
    };
    if (nodes.length > 1) usage.nodes = nodes;
    return { result, usage };
  } finally {
    for (const s of samplers) s.stop();
  }
}

export function round(x: number, places = 2): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}
