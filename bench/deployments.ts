// What a bench run compares. Each deployment starts one server under test (one process, or several nodes
// behind a balancer) on storage of its own, and removes that storage once the server has stopped.
// The embedded backend: Berth on SQLite and its data dir, Distribution on its filesystem driver.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startBerth, startDistribution, type Server } from './servers.js';

export interface Deployment {
  start(): Promise<Server>;
  remove(): Promise<void>;
}

export interface Backend {
  /** The servers under test, in the summary's column order: the Berth ones first, Distribution last. */
  readonly deployments: Deployment[];
  /** Berth alone, for the huge-blob run: a fresh deployment like the first one. */
  huge(): Deployment;
  /** Stops what the backend itself runs (the S3 server) and removes what is left (databases, bucket). */
  close(): Promise<void>;
}

function inDir(dir: string, start: (dir: string) => Promise<Server>): Deployment {
  return {
    start: () => start(dir),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function embeddedBackend(root: string, tmp: string): Backend {
  return {
    deployments: [inDir(path.join(tmp, 'berth'), (dir) => startBerth(root, dir)), inDir(path.join(tmp, 'distribution'), (dir) => startDistribution(dir))],
    huge: () => inDir(path.join(tmp, 'huge'), (dir) => startBerth(root, dir)),
    close: async () => undefined,
  };
}
