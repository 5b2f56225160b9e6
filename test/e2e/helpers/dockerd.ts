// A private Docker daemon (Debian's docker.io) in a temporary directory: vfs storage, no bridge, no iptables,
// its own socket, data root, exec root and pid file, and the test registry listed as insecure.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeRun, run, sleep, type RunOptions, type RunResult } from './process.js';

/** Debian's docker.io installs the daemon in /usr/sbin. */
export const DOCKERD = '/usr/sbin/dockerd';
/** Debian's client (20.10). Named explicitly: the `docker` first on PATH may be another client. */
export const DOCKER = '/usr/bin/docker';

export interface Dockerd {
  readonly dir: string;
  /** Environment for the client: DOCKER_HOST (our socket) and DOCKER_CONFIG (an empty client config). */
  readonly env: Record<string, string>;
  /** Runs `/usr/bin/docker ARGS…` against this daemon. */
  docker(args: string[], options?: RunOptions): Promise<RunResult>;
  /** Same, throwing with the client's output and the daemon's log unless it exits 0. */
  dockerOk(args: string[], options?: RunOptions): Promise<RunResult>;
  log(): string;
  /** SIGTERM, wait (SIGKILL after 30 s), remove the directory. */
  stop(): Promise<void>;
}

/** Unmounts whatever is mounted below `dir` (deepest first). */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const points = mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await run('umount', [point], { timeoutMs: 30_000 });
}

const tail = (text: string, lines = 40): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * Starts dockerd and waits until it answers. Throws (never skips) with the daemon's output when it cannot start.
 * `context` is added to error messages (e.g. the registry's log).
 */
export async function startDockerd(insecureRegistries: string[], context: () => string = () => ''): Promise<Dockerd> {
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-e2e-docker-'));
  const clientConfig = path.join(dir, 'client');
  await mkdir(clientConfig);
  await writeFile(path.join(clientConfig, 'config.json'), '{}');
  const config = {
    'storage-driver': 'vfs',
    bridge: 'none',
    iptables: false,
    ip6tables: false,
    'insecure-registries': insecureRegistries,
    'data-root': path.join(dir, 'data'),
    'exec-root': path.join(dir, 'exec'),
    pidfile: path.join(dir, 'docker.pid'),
    hosts: [`unix://${path.join(dir, 'docker.sock')}`],
  };
  const configFile = path.join(dir, 'daemon.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const env = { DOCKER_HOST: `unix://${path.join(dir, 'docker.sock')}`, DOCKER_CONFIG: clientConfig, DOCKER_BUILDKIT: '0' };

  let output = '';
  let spawnError: Error | undefined;
  const child: ChildProcess = spawn(DOCKERD, ['--config-file', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.once('error', (err) => (spawnError = err));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && !spawnError) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
    // dockerd's own containerd may still be writing for a moment after dockerd exits, and a dockerd that
    // failed can leave its data root bind-mounted onto itself.
    await sleep(500);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  };

  const docker = (args: string[], options: RunOptions = {}): Promise<RunResult> =>
    run(DOCKER, args, { timeoutMs: 300_000, ...options, env: { ...env, ...options.env } });

  const daemon: Dockerd = {
    dir,
    env,
    docker,
    async dockerOk(args, options) {
      const result = await docker(args, options);
      if (result.code !== 0) {
        throw new Error(`${describeRun(result)}\n--- dockerd log (tail) ---\n${tail(output)}\n--- registry log (tail) ---\n${context()}`);
      }
      return result;
    },
    log: () => output,
    stop,
  };

  const deadline = Date.now() + 120_000;
  let last: RunResult | undefined;
  while (Date.now() < deadline) {
    if (spawnError) {
      await stop();
      throw new Error(`dockerd could not be started (${DOCKERD}): ${spawnError.message}. Install Debian's docker.io.`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`dockerd exited (${child.exitCode ?? child.signalCode}) before it was ready. Its output (tail):\n${tail(output, 30)}`);
    }
    last = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
    if (last.code === 0) return daemon;
    await sleep(500);
  }
  await stop();
  throw new Error(`dockerd did not answer within 120 s.\nLast client attempt: ${last ? describeRun(last) : 'none'}\nDaemon output:\n${tail(output, 80)}`);
}
