import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { issueAuthorizationToken } from '../../src/auth/tokens/authorization-token.js';
import { buildApp } from '../../src/app.js';
import { bootstrapRootKey, type Identity, type KeyPair } from '../../src/auth/access-keys.service.js';
import { Keyring } from '../../src/auth/keyring.js';
import { createAccessControl } from '../../src/auth/registry-access.js';
import type { ControlPlane } from '../../src/controlplane/control-plane.js';
import type { Clock } from '../../src/core/clock.js';
import { createRegistry, type Registry, type RegistrySettings } from '../../src/registry/registry.js';
import type { HashThread } from '../../src/registry/hash-thread.js';
import type { BlobDriver } from '../../src/storage/blob-driver.js';
import { FsBlobDriver } from '../../src/storage/fs/fs-driver.js';
import { MemoryBlobDriver } from '../../src/storage/memory/memory-driver.js';
import { openS3Driver } from '../../src/storage/s3/s3-driver.js';
import { silentLogger } from '../../src/core/context.js';
import { GarbageCollector } from '../../src/registry/garbage-collector.js';
import { JobWorker } from '../../src/jobs/job-worker.js';
import { registerBackgroundJobs } from '../../src/compose.js';
import { s3ForTests, type S3ForTests } from './s3-server.js';
import { openTestMetadata, SCALE_OUT } from './test-database.js';

/** The account root's key in every test registry (the AWS documentation's example pair). */
export const ROOT_KEY: KeyPair = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'us-east-1';

/** What tests call requests on. */
export type Injector = Pick<FastifyInstance, 'inject'>;

export interface TestRegistry {
  /** The app, with the account root's `docker login` credentials on every /v2 request that names none. */
  readonly app: Injector;
  /** The same app with no credentials added: the anonymous principal. */
  readonly anonymous: Injector;
  /** Basic `AWS:<password>` of the account root. */
  readonly rootAuthorization: string;
  readonly registry: Registry;
  readonly controlPlane: ControlPlane;
  readonly storage: BlobDriver;
  /** Runs the queued background jobs (scans) until none is due; resolves with how many ran. */
  runJobs(): Promise<number>;
  close(): Promise<void>;
}

export interface TestRegistryOptions {
  readonly storage?: 'memory' | 'fs';
  readonly settings?: Partial<RegistrySettings>;
  readonly clock?: Clock;
  readonly publicUrl?: string;
  readonly trustedProxies?: readonly string[];
  /** Instead of the process's own hash thread. */
  readonly hashThread?: HashThread;
}

let s3Store: Promise<S3ForTests> | undefined;

/** In the scale-out pass with BERTH_TEST_STORAGE_URL: an S3 driver on a key prefix of its own. */
async function testS3Storage(): Promise<BlobDriver | undefined> {
  if (!SCALE_OUT || !process.env.BERTH_TEST_STORAGE_URL) return undefined;
  const store = await (s3Store ??= s3ForTests());
  if ('skip' in store) throw new Error(store.skip);
  return openS3Driver(store.driverOptions());
}

/**
 * A whole registry in this process, with the real HTTP app: SQLite in memory and memory or fs storage;
 * in the scale-out pass (BERTH_TEST_BACKEND=scale-out) PostgreSQL and S3 when their test URLs are set.
 */
export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const s3 = await testS3Storage();
  const dir = !s3 && options.storage === 'fs' ? await mkdtemp(path.join(tmpdir(), 'berth-test-')) : undefined;
  const storage = s3 ?? (dir ? new FsBlobDriver(path.join(dir, 'blobs')) : new MemoryBlobDriver());
  if (storage instanceof FsBlobDriver) await storage.init();
  const metadata = await openTestMetadata();
  const registry = createRegistry({
    metadata,
    storage,
    clock: options.clock ?? { now: () => new Date() },
    settings: { createOnPush: true, gcGraceMs: 60_000, ...options.settings },
    hashThread: options.hashThread,
  });
  const clock = options.clock ?? { now: () => new Date() };
  const identity: Identity = { metadata, keyring: new Keyring(Buffer.alloc(32, 42)), accountId: TEST_ACCOUNT };
  await bootstrapRootKey(identity, ROOT_KEY, clock.now().getTime());
  const controlPlane: ControlPlane = { registry, identity, region: TEST_REGION, clock };
  const access = createAccessControl(identity, TEST_REGION, clock);
  const collector = new GarbageCollector(registry, silentLogger);
  const worker = new JobWorker({ metadata, clock, log: silentLogger, concurrency: 4 });
  // Small scan limits, so a test's bomb is caught in milliseconds.
  registerBackgroundJobs(worker, registry, { limits: { maxLayerBytes: 64 * 1024 * 1024, maxEntries: 10_000 } });
  const app = await buildApp({ registry, controlPlane, access, collector, publicUrl: options.publicUrl, healthChecks: [], ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}) });
  await app.ready();
  const { token } = issueAuthorizationToken(identity.keyring, `arn:aws:iam::${TEST_ACCOUNT}:root`, clock.now().getTime());
  const rootAuthorization = `Basic ${token}`;
  return {
    app: withDefaultAuthorization(app, rootAuthorization),
    anonymous: app,
    rootAuthorization,
    registry,
    controlPlane,
    storage,
    async runJobs() {
      let total = 0;
      for (let ran = await worker.runDue(); ran > 0; ran = await worker.runDue()) total += ran;
      return total;
    },
    async close() {
      await app.close();
      await metadata.close();
      await storage.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

function withDefaultAuthorization(app: FastifyInstance, authorization: string): Injector {
  const inject = (options: InjectOptions) => {
    const headers = { ...(options.headers as Record<string, string> | undefined) };
    if (String(options.url).startsWith('/v2') && headers.authorization === undefined) headers.authorization = authorization;
    return app.inject({ ...options, headers });
  };
  return { inject: inject as Injector['inject'] };
}
