// skopeo with a permissive trust policy of our own, so the host's /etc/containers settings do not matter.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeRun, run, type RunResult } from './process.js';

export const SKOPEO = '/usr/bin/skopeo';

export interface Skopeo {
  /** Runs `skopeo --policy P ARGS…`. */
  run(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** Same, but throws (with output and the registry's log tail from `context`) unless it exits 0. */
  ok(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** `skopeo login --username AWS --password-stdin HOST`, as `aws ecr get-login-password | …` does it. */
  login(host: string, password: string): Promise<RunResult>;
  cleanup(): Promise<void>;
}

export async function makeSkopeo(context: () => string = () => ''): Promise<Skopeo> {
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-e2e-skopeo-'));
  const policy = path.join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const runIt = (args: string[], timeoutMs = 180_000): Promise<RunResult> =>
    run(SKOPEO, ['--policy', policy, ...args], { timeoutMs, env: { REGISTRY_AUTH_FILE: path.join(dir, 'auth.json') } });
  return {
    run: runIt,
    async ok(args, timeoutMs) {
      const result = await runIt(args, timeoutMs);
      if (result.code !== 0) throw new Error(`${describeRun(result)}\n--- registry log (tail) ---\n${context()}`);
      return result;
    },
    async login(host, password) {
      const result = await run(SKOPEO, ['login', '--tls-verify=false', '--username', 'AWS', '--password-stdin', host], {
        input: password,
        env: { REGISTRY_AUTH_FILE: path.join(dir, 'auth.json') },
      });
      if (result.code !== 0) throw new Error(`${describeRun(result)}\n--- registry log (tail) ---\n${context()}`);
      return result;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
