// A round-robin TCP load balancer on a loopback port: each new client connection goes to the next node and
// is piped both ways until either side closes. It stands in for a real load balancer in front of several
// Berth nodes; it runs inside the bench process, so its CPU time is not counted as the servers'.
import net from 'node:net';

export interface Balancer {
  readonly url: string;
  /** Connections handed to each node so far, in the order of `route`'s ports. */
  readonly connections: readonly number[];
  /** The nodes' loopback ports; until it is called, connections are refused (closed at once). */
  route(ports: readonly number[]): void;
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  let ports: readonly number[] = [];
  let next = 0;
  const connections: number[] = [];
  const open = new Set<net.Socket>();

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    if (ports.length === 0) return void client.destroy();
    const i = next++ % ports.length;
    connections[i] = (connections[i] ?? 0) + 1;
    const node = net.connect({ host: '127.0.0.1', port: ports[i]!, allowHalfOpen: true, noDelay: true });
    const both = [client, node];
    for (const s of both) {
      open.add(s);
      s.on('error', () => both.forEach((x) => x.destroy()));
      s.on('close', () => open.delete(s));
    }
    // pipe() passes each side's end (FIN) on to the other once its data is written, so a side that closes
    // cleanly closes the other after it, and half-closed connections behave as they do over plain TCP.
    client.pipe(node);
    node.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('balancer: no port');

  return {
    url: `http://127.0.0.1:${addr.port}`,
    connections,
    route(to) {
      ports = [...to];
      connections.length = 0;
      connections.push(...ports.map(() => 0));
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
