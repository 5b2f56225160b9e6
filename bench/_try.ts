// scratch: not committed
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execJson } from './exec.js';
import { startBerth, startDistribution, measure, killAll } from './servers.js';
const root = path.resolve(import.meta.dirname, '..');
const REGBENCH = path.resolve(root, '..', 'shared', 'bench', 'regbench.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'try-'));
const which = (process.env.WHO ?? 'berth,distribution').split(',');
const scenarios = process.argv.slice(2);
const servers = [];
if (which.includes('berth')) servers.push(await startBerth(root, path.join(tmp, 'b')));
if (which.includes('distribution')) servers.push(await startDistribution(path.join(tmp, 'd')));
try {
  for (const sc of scenarios) {
    const [name, ...args] = sc.split(':');
    for (const s of servers) {
      const auth = s.password ? ['--user', 'AWS', '--pass', s.password] : [];
      await (await import('./exec.js')).exec('sync', [], { timeoutMs: 120000 });
      const { result, usage } = await measure(s.pids, () => execJson(process.execPath, [REGBENCH, '--url', s.url, '--scenario', name!, ...auth, ...args], 900_000));
      const r = result as Record<string, unknown>;
      const keys = Object.keys(r).filter((k) => /mibps|per_s|p50|p99|_s$/.test(k));
      const st = (await import('node:fs')).readFileSync(`/proc/${s.pids[0]}/stat`, 'utf8').split(') ')[1]!.split(' '); console.log('utime', st[11], 'stime', st[12], 'minflt', st[7], 'majflt', st[9]);
      console.log(name, s.name, keys.map((k) => `${k}=${r[k]}`).join(' '), `cpu=${usage.server_cpu_s} rss=${usage.peak_rss_mib}`);
    }
  }
} finally {
  for (const s of servers) await s.stop();
  killAll();
  if (!process.env.KEEP) rmSync(tmp, { recursive: true, force: true }); else console.log(tmp);
}
