// Several Berth nodes behind the round-robin balancer, seen by the clients as one server at the balancer's
// URL. The nodes must share their database, bucket prefix and BERTH_MASTER_KEY (in `env`); each gets
// BERTH_PUBLIC_URL set to the balancer's URL, so the Location headers they send lead back through it.
import path from 'node:path';
import { startBalancer } from './balancer.js';
import { startBerth, type Server } from './servers.js';

export interface ClusterOptions {
  name: string;
  label: string;
  nodes: number;
  env: Record<string, string>;
}

export async function startBerthCluster(root: string, dir: string, { name, label, nodes, env }: ClusterOptions): Promise<Server> {
  const balancer = await startBalancer();
  const started: Server[] = [];
  try {
    for (let i = 1; i <= nodes; i++) {
      started.push(await startBerth(root, path.join(dir, `node${i}`), { name: `${name}-node${i}`, label, env: { ...env, BERTH_PUBLIC_URL: balancer.url } }));
    }
    balancer.route(started.map((s) => Number(new URL(s.url).port)));
    const health = await fetch(`${balancer.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    if (health.status !== 200) throw new Error(`GET ${balancer.url}/healthz through the balancer: HTTP ${health.status}`);
  } catch (err) {
    for (const s of started) await s.stop();
    await balancer.close();
    throw err;
  }
  return {
    kind: 'berth',
    name,
    label,
    url: balancer.url,
    pids: started.flatMap((s) => s.pids),
    logFiles: started.flatMap((s) => s.logFiles),
    // Every node accepts the token any node issued: they share the database and the master key.
    password: started[0]!.password,
    connections: balancer.connections,
    async stop() {
      for (const s of started) await s.stop();
      await balancer.close();
    },
    kill() {
      for (const s of started) s.kill();
      void balancer.close();
    },
  };
}
