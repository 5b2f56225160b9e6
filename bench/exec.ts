// Runs a command to completion with a hard time limit, capturing its output.
import { spawn } from 'node:child_process';

export interface Exec {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function exec(cmd: string, args: string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && code === null) reject(new Error(`${cmd} ${args.join(' ')}: killed after ${opts.timeoutMs / 1000} s`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a client that prints one JSON line (regbench.mjs, pull-ranged.ts) and returns it; throws on any error. */
export async function execJson(cmd: string, args: string[], timeoutMs: number, cwd?: string): Promise<Record<string, unknown>> {
  const r = await exec(cmd, args, { timeoutMs, cwd });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    // reported below
  }
  if (r.code !== 0 || !parsed || parsed.error) {
    const why = parsed?.error ?? (r.stderr.trim() || line || `exit ${r.code}`);
    throw new Error(`${[cmd, ...args].join(' ')}: ${String(why)}`);
  }
  return parsed;
}
