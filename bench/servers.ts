// Starts and stops the two registries under test, and samples a server's peak RSS and CPU time from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

export const DISTRIBUTION_BIN = '/usr/bin/docker-registry';

export interface Server {
  readonly name: 'berth' | 'distribution';
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  /** The registry password for Basic `AWS:<password>` (Berth: an ECR authorization token), or undefined for an open registry. */
  password?: string;
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

function freePort(): Promise<number> {
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

async function launch(name: Server['name'], cmd: string, args: string[], env: NodeJS.ProcessEnv, dir: string, port: number, readyPath: string): Promise<Server> {
  const logFile = path.join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(cmd, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;
  const server: Server = {
    name,
    url,
    pid: child.pid ?? 0,
    logFile,
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

/**
 * `node bin/berth.js serve` on a fresh data dir; BERTH_LOG_LEVEL defaults to info (realistic). Berth is
 * private, as deployed: the benchmark logs in the ECR way (GetAuthorizationToken, then Basic AWS:<password>
 * on every request), so authentication is part of every figure.
 */
export async function startBerth(root: string, dir: string): Promise<Server> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BERTH_')));
  env.BERTH_LOG_LEVEL = process.env.BERTH_LOG_LEVEL ?? 'info';
  env.BERTH_ADMIN_ACCESS_KEY_ID = BENCH_KEY.accessKeyId;
  env.BERTH_ADMIN_SECRET_ACCESS_KEY = BENCH_KEY.secretAccessKey;
  // As `npm start` and the berth command run it (see bin/berth.js).
  const args = ['--max-semi-space-size=4', path.join(root, 'bin', 'berth.js'), 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', path.join(dir, 'data')];
  const server = await launch('berth', process.execPath, args, env, dir, port, '/healthz');
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

/** CNCF Distribution (Debian's docker-registry) with filesystem storage in a fresh dir. */
export async function startDistribution(dir: string): Promise<Server> {
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
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
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
  return launch('distribution', DISTRIBUTION_BIN, ['serve', config], env, dir, port, '/v2/');
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
  /** Peak resident set size during the measurement, MiB. */
  peak_rss_mib: number;
  /** Server CPU time (user + system) during the measurement, seconds. */
  server_cpu_s: number;
  wall_s: number;
}

/**
 * Measures a server while `fn` runs. The peak comes from the kernel's high-water mark (VmHWM, reset through
 * /proc/PID/clear_refs, so it misses nothing), with 100 ms sampling of VmRSS as a fallback.
 */
export async function measure<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
  let hwm = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    hwm = false; // the high-water mark can't be reset: rely on the sampling alone
  }
  let peak = statusKiB(pid, 'VmRSS');
  const timer = setInterval(() => (peak = Math.max(peak, statusKiB(pid, 'VmRSS'))), 100);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  try {
    const result = await fn();
    peak = Math.max(peak, statusKiB(pid, 'VmRSS'), hwm ? statusKiB(pid, 'VmHWM') : 0);
    const usage = { peak_rss_mib: round(peak / 1024), server_cpu_s: round(cpuSeconds(pid) - cpu0), wall_s: round((performance.now() - t0) / 1000) };
    return { result, usage };
  } finally {
    clearInterval(timer);
  }
}

export function round(x: number, places = 2): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}
