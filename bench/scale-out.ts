// The scale-out backend (BENCH_BACKEND=scale-out): Berth on PostgreSQL + S3 as one node, and as two nodes
// behind a round-robin balancer; Distribution on its s3 storage driver. All of them share one S3 server and
// one fresh bucket, each under a key prefix of its own; each Berth deployment gets a throwaway database.
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startBerthCluster } from './cluster.js';
import type { Backend, Deployment } from './deployments.js';
import { startS3Store, type S3Store } from './moto.js';
import { createDatabase, displayUrl, type BenchDatabase } from './postgres.js';
import { startBerth, startDistribution, type Server } from './servers.js';

export interface ScaleOutSettings {
  /** The PostgreSQL server's admin URL; the bench creates and drops its databases there. */
  databaseUrl: string;
  /** Blob GETs answer 307 to presigned S3 URLs (both registries' default on S3), or stream through the registry. */
  redirect: boolean;
}

/** What the run used, for the output and the results JSON. */
export interface ScaleOutFacts {
  s3: { origin: string; endpoint: string; bucket: string };
  postgres: string;
  redirect: boolean;
  /** "s3", or why Distribution fell back to its filesystem driver. */
  distribution_storage: string;
  berth_prefixes: string[];
  distribution_rootdirectory: string;
}

export interface ScaleOutBackend extends Backend {
  readonly facts: ScaleOutFacts;
}

const DISTRIBUTION_ROOT = '/distribution';

function storageUrl(s3: S3Store, prefix: string, redirect: boolean): string {
  const query = new URLSearchParams({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: 'true', redirect: String(redirect) });
  return `s3://${s3.bucket}/${prefix}/?${query}`;
}

export async function scaleOutBackend(root: string, tmp: string, settings: ScaleOutSettings): Promise<ScaleOutBackend> {
  const s3 = await startS3Store(tmp);
  const databases = new Set<BenchDatabase>();
  const facts: ScaleOutFacts = {
    s3: { origin: s3.origin, endpoint: s3.endpoint, bucket: s3.bucket },
    postgres: displayUrl(settings.databaseUrl),
    redirect: settings.redirect,
    distribution_storage: 's3',
    berth_prefixes: [],
    distribution_rootdirectory: DISTRIBUTION_ROOT,
  };

  /** Berth on a fresh database and bucket prefix; with nodes > 1, that many nodes behind a balancer. */
  const berth = (name: string, label: string, nodes: number): Deployment => {
    const dir = path.join(tmp, name);
    let db: BenchDatabase | undefined;
    facts.berth_prefixes.push(name);
    return {
      async start(): Promise<Server> {
        db = await createDatabase(settings.databaseUrl);
        databases.add(db);
        const env = {
          BERTH_DATABASE_URL: db.url,
          BERTH_STORAGE_URL: storageUrl(s3, name, settings.redirect),
          // 32 random bytes shared by the nodes: each must read the secrets the others sealed.
          BERTH_MASTER_KEY: randomBytes(32).toString('base64'),
          AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        };
        if (nodes === 1) return startBerth(root, dir, { name, label, env });
        return startBerthCluster(root, dir, { name, label, nodes, env });
      },
      async remove() {
        rmSync(dir, { recursive: true, force: true });
        if (db) {
          databases.delete(db);
          await db.drop();
        }
      },
    };
  };

  const distribution: Deployment = {
    async start() {
      const dir = path.join(tmp, 'distribution-s3');
      const { credentials } = s3;
      const config = { endpoint: s3.endpoint, region: s3.region, bucket: s3.bucket, rootDirectory: DISTRIBUTION_ROOT, ...credentials, redirect: settings.redirect };
      let server: Server | undefined;
      try {
        server = await startDistribution(dir, { name: 'distribution-s3', label: 'Distribution S3', s3: config });
        await checkBlobRoundTrip(server.url);
        return server;
      } catch (err) {
        await server?.stop();
        const why = (err as Error).message.split('\n')[0] ?? '';
        facts.distribution_storage = `filesystem (fallback: the s3 driver did not work: ${why})`;
        process.stdout.write(`  Distribution cannot work on S3 (${why}): falling back to its filesystem driver\n`);
        return startDistribution(path.join(tmp, 'distribution-fs'), { name: 'distribution-fs', label: 'Distribution fs' });
      }
    },
    remove: async () => {
      for (const d of ['distribution-s3', 'distribution-fs']) rmSync(path.join(tmp, d), { recursive: true, force: true });
    },
  };

  return {
    facts,
    deployments: [berth('berth-pg-s3', 'Berth PG+S3', 1), berth('berth-pg-s3-x2', 'Berth PG+S3 ×2', 2), distribution],
    huge: () => berth('berth-pg-s3-huge', 'Berth PG+S3', 1),
    async close() {
      try {
        for (const db of databases) await db.drop();
        databases.clear();
      } finally {
        await s3.stop();
      }
    },
  };
}

/** Pushes a small blob and reads it back (following the redirect, if any): proof that the storage works. */
async function checkBlobRoundTrip(url: string): Promise<void> {
  const body = randomBytes(4096);
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const uploads = `${url}/v2/bench-probe/blobs/uploads/`;
  const post = await fetch(uploads, { method: 'POST', signal: AbortSignal.timeout(30_000) });
  const location = post.headers.get('location');
  if (post.status !== 202 || !location) throw new Error(`POST ${uploads}: HTTP ${post.status} ${(await post.text()).slice(0, 200)}`);
  const put = new URL(location, url);
  put.searchParams.set('digest', digest);
  const res = await fetch(put, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(30_000) });
  if (res.status !== 201) throw new Error(`PUT ${put.pathname}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  const get = await fetch(`${url}/v2/bench-probe/blobs/${digest}`, { signal: AbortSignal.timeout(30_000) });
  const got = Buffer.from(await get.arrayBuffer());
  if (get.status !== 200 || !got.equals(body)) throw new Error(`GET of the blob just pushed: HTTP ${get.status}, ${got.length} bytes, ${got.equals(body) ? 'same' : 'not the'} bytes`);
}
