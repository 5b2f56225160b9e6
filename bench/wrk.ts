// Runs wrk (a C load generator, so the client is not the limit) and parses its --latency report.
import { exec } from './exec.js';

export interface WrkResult {
  rps: number;
  requests: number;
  /** Non-2xx/3xx responses plus socket errors (connect, read, write, timeout). */
  errors: number;
  p50_ms: number;
  p99_ms: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function duration(text: string, label: string): number {
  const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
  if (!m) throw new Error(`wrk output has no ${label} latency:\n${text}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export function parseWrk(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const total = /^\s*(\d+) requests in/m.exec(text);
  if (!rps || !total) throw new Error(`unexpected wrk output:\n${text}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    rps: Number(rps[1]),
    requests: Number(total[1]),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
    p50_ms: duration(text, '50%'),
    p99_ms: duration(text, '99%'),
  };
}

export async function runWrk(url: string, opts: { connections: number; threads: number; seconds: number; headers: Record<string, string> }): Promise<WrkResult & { output: string }> {
  const args = ['-t', String(opts.threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`, '--timeout', '10s', '--latency'];
  for (const [k, v] of Object.entries(opts.headers)) args.push('-H', `${k}: ${v}`);
  args.push(url);
  const r = await exec('wrk', args, { timeoutMs: (opts.seconds + 30) * 1000 });
  if (r.code !== 0) throw new Error(`wrk ${args.join(' ')}: exit ${r.code}: ${r.stderr || r.stdout}`);
  return { ...parseWrk(r.stdout), output: r.stdout };
}
