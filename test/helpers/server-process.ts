import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyring, loadMasterKey } from '../../src/auth/keyring.js';
import { issueAuthorizationToken } from '../../src/auth/tokens/authorization-token.js';

const runner = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run-berth.ts');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerProcess {
  readonly url: string;
  /** Basic `AWS:<password>` of the account root, minted with the server's master key (docker login's header). */
  readonly authorization: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr and stdout. */
  output(): string;
}

/** Starts `berth serve` from source as a real process and waits until /healthz answers. */
export async function startServerProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', runner, 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    env: { ...process.env, BERTH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`berth exited with ${child.exitCode}: ${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child, output: () => output, authorization: rootAuthorization(dataDir, env) };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`berth did not become healthy in 20 s: ${output}`);
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

/** The root's registry credentials, from the master key the server uses (BERTH_MASTER_KEY or its key file). */
function rootAuthorization(dataDir: string, env: Record<string, string>): string {
  const configured = env.BERTH_MASTER_KEY ? Buffer.from(env.BERTH_MASTER_KEY, 'base64') : undefined;
  const keyring = new Keyring(loadMasterKey(configured, dataDir));
  const account = env.BERTH_ACCOUNT_ID ?? '000000000000';
  return `Basic ${issueAuthorizationToken(keyring, `arn:aws:iam::${account}:root`, Date.now()).token}`;
}
