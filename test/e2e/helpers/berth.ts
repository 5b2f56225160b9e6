// Starts the BUILT server (`node bin/berth.js serve`) as a real process, as a user would run it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNT, ADMIN, aws } from './aws.js';
import { describeRun, freePort, sleep } from './process.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = path.join(root, 'bin', 'berth.js');

export interface Berth {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** 127.0.0.1:PORT, the registry host as clients name it in image references. */
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the server wrote so far (JSON log lines). */
  output(): string;
  /** The last lines of the server's log, for assertion messages. */
  logTail(lines?: number): string;
  /** SIGTERM, wait (SIGKILL after 15 s), remove the data directory. Returns the exit code. */
  stop(): Promise<number | null>;
  /** `aws ecr get-login-password` (Debian's AWS CLI v2) with the root's key: the password for docker login. */
  loginPassword(): Promise<string>;
}

export interface StartOptions {
  /** Listen on this port (pick it first when a client must be configured with it, e.g. dockerd). */
  port?: number;
  env?: Record<string, string>;
}

/**
 * Starts `node bin/berth.js serve --listen 127.0.0.1:PORT --data-dir TMP` and waits for /healthz. The
 * account root's key is ADMIN (helpers/aws.ts), the account id ACCOUNT.
 * It logs at debug level (refused requests included) into memory; BERTH_E2E_LOG_LEVEL overrides that, and
 * BERTH_E2E_LOG_DIR=DIR writes each server's log to DIR/berth-PORT.log when it stops.
 */
export async function startBerth(options: StartOptions = {}): Promise<Berth> {
  const port = options.port ?? (await freePort());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-e2e-data-'));
  const child = spawn(process.execPath, [bin, 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    cwd: root,
    env: {
      ...process.env,
      BERTH_LOG_LEVEL: process.env.BERTH_E2E_LOG_LEVEL ?? 'debug',
      BERTH_ADMIN_ACCESS_KEY_ID: ADMIN.accessKeyId,
      BERTH_ADMIN_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      BERTH_ACCOUNT_ID: ACCOUNT,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;

  const berth: Berth = {
    url,
    host: `127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    output: () => output,
    logTail: (lines = 60) => output.trimEnd().split('\n').slice(-lines).join('\n'),
    async stop() {
      let code: number | null = child.exitCode;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        code = await exited;
        clearTimeout(killer);
      }
      // BERTH_E2E_LOG_DIR keeps each server's log (to see every request a client made).
      const logDir = process.env.BERTH_E2E_LOG_DIR;
      if (logDir) {
        await mkdir(logDir, { recursive: true });
        await writeFile(path.join(logDir, `berth-${port}.log`), output);
      }
      await rm(dataDir, { recursive: true, force: true });
      return code;
    },
    async loginPassword() {
      const result = await aws({ name: 'AWS CLI v2', path: '/usr/bin/aws' }, url, ['ecr', 'get-login-password']);
      if (result.code !== 0) throw new Error(describeRun(result));
      return result.stdout.trim();
    },
  };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`berth serve exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return berth;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await berth.stop();
  throw new Error(`berth serve did not answer /healthz with 200 within 30 s:\n${output}`);
}
