import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bootstrapRootKey, type Identity } from './auth/access-keys.service.js';
import { writeCredentialsFile } from './auth/credentials-file.js';
import { Keyring, loadMasterKey } from './auth/keyring.js';
import { createAccessControl, type AccessControl } from './auth/registry-access.js';
import type { ControlPlane } from './controlplane/control-plane.js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, type Config } from './config/config.js';
import { systemClock } from './core/clock.js';
import { backgroundContext, silentLogger, type Logger } from './core/context.js';
import { openPostgres } from './metadata/dialects/postgres.js';
import { openSqlite } from './metadata/dialects/sqlite.js';
import type { Metadata } from './metadata/metadata.js';
import { GarbageCollector } from './registry/garbage-collector.js';
import { PeriodicTask } from './jobs/periodic-task.js';
import { JobWorker } from './jobs/job-worker.js';
import { EVENT_JOB, EventBus, type DomainEvent } from './events/domain-events.js';
import type { ScanLimits } from './scanning/layers/inventory-of.js';
import { rematchForNewData, runImageScan, SCAN_JOB, scanOnPush } from './scanning/scan.service.js';
import { runAllLifecyclePolicies } from './lifecycle/lifecycle.service.js';
import { createRegistry, type Registry } from './registry/registry.js';
import type { BlobDriver } from './storage/blob-driver.js';
import { FsBlobDriver } from './storage/fs/fs-driver.js';
import type { StorageSetting } from './config/storage-setting.js';

/** The running parts of one Berth node. */
export interface Services {
  readonly registry: Registry;
  readonly controlPlane: ControlPlane;
  readonly access: AccessControl;
  readonly metadata: Metadata;
  readonly storage: BlobDriver;
  /** Garbage collection, scheduled and on demand. */
  readonly collector: GarbageCollector;
  /** Starts the background schedules (garbage collection, lifecycle policies, pull-time writes). */
  startBackground(): void;
  close(): Promise<void>;
}

const PULL_TIMES_FLUSH_MS = 5_000;
/** How often a node looks whether the vulnerability data changed (`berth vulndb import` from anywhere). */
const CONTINUOUS_SCAN_CHECK_MS = 30_000;

/** The composition root: the only place that picks concrete drivers and dialects. */
export async function composeServices(config: Config, logger: Logger = silentLogger): Promise<Services> {
  let masterKey: Buffer;
  try {
    masterKey = loadMasterKey(config.masterKey, config.dataDir);
  } catch (err) {
    throw new ConfigError(`BERTH_MASTER_KEY: ${(err as Error).message}`);
  }
  const storage = await openStorage(config.storage);
  let metadata: Metadata;
  try {
    metadata = await openMetadata(config.databaseUrl);
  } catch (err) {
    await storage.close();
    throw err;
  }
  const events = new EventBus((err, event) => logger.warn({ err, event: event.type }, 'an event subscriber failed'));
  const registry = createRegistry({
    metadata,
    storage,
    events,
    clock: systemClock,
    settings: { createOnPush: config.createOnPush, gcGraceMs: config.gcGraceMs, redirectBlobDownloads: config.storage.kind === 's3' && config.storage.redirect },
  });
  const identity: Identity = { metadata, keyring: new Keyring(masterKey), accountId: config.accountId };
  const collector = new GarbageCollector(registry, logger);
  const worker = new JobWorker({ metadata, clock: systemClock, log: logger });
  registerBackgroundJobs(worker, registry);
  // Each runs on every node; the gc and lifecycle locks make one node at a time do the work.
  const schedules = [
    new PeriodicTask('garbage collection', config.gcIntervalMs, () => collector.run(), logger),
    new PeriodicTask('lifecycle policies', config.lifecycleIntervalMs, () => metadata.runExclusive('lifecycle', () => runLifecycleWithLog(registry, logger)), logger),
    new PeriodicTask('continuous scanning', CONTINUOUS_SCAN_CHECK_MS, () => metadata.runExclusive('rescan', async () => void (await rematchForNewData(registry))), logger),
  ];
  const pullTimes = new PeriodicTask('recording pull times', PULL_TIMES_FLUSH_MS, () => registry.pullTimes.flush((work) => metadata.transaction(work)), logger);
  return {
    registry,
    controlPlane: { registry, identity, region: config.region, clock: systemClock },
    access: createAccessControl(identity, config.region, systemClock),
    metadata,
    storage,
    collector,
    startBackground() {
      for (const task of [...schedules, pullTimes]) task.start();
      worker.start();
    },
    async close() {
      await Promise.all([...schedules.map((task) => task.stop()), worker.stop()]);
      await pullTimes.stop({ finally: true });
      await metadata.close();
      await storage.close();
    },
  };
}

async function runLifecycleWithLog(registry: Registry, logger: Logger): Promise<void> {
  for (const run of await runAllLifecyclePolicies(registry)) {
    if (run.expired.length > 0) logger.info({ repository: run.repository, expired: run.expired.length, bytesFreed: run.bytesFreed }, `lifecycle policy of ${run.repository} expired ${run.expired.length} images`);
  }
}

/**
 * What a node's job worker runs, and who hears of pushes: the outbox's events are delivered to the
 * registry's subscribers (scan on push), and scans run as leased jobs (a push only queues one).
 */
export function registerBackgroundJobs(worker: JobWorker, registry: Registry, scan: { limits?: Partial<ScanLimits> } = {}): void {
  worker.register(EVENT_JOB, (_ctx, payload) => registry.events.deliver(payload as DomainEvent));
  worker.register(SCAN_JOB, (ctx, payload) => {
    const { repository, digest } = payload as { repository: string; digest: string };
    return runImageScan(registry, ctx, repository, digest, scan);
  });
  registry.events.subscribe(scanOnPush(registry));
}

/**
 * Makes sure the account root has an access key (INTERFACES.md, "Bootstrap"): the configured pair,
 * or one generated into `<data dir>/admin-credentials`. Returns that file's path when it wrote one.
 */
export async function bootstrapIdentity(config: Config, services: Services): Promise<string | undefined> {
  const generated = await bootstrapRootKey(services.controlPlane.identity, config.adminCredentials, systemClock.now().getTime());
  if (!generated) return undefined;
  const file = path.join(config.dataDir, 'admin-credentials');
  writeCredentialsFile(file, generated);
  return file;
}

/** The HTTP app over composed services. */
export async function composeApp(config: Config, services: Services, logger: Logger): Promise<FastifyInstance> {
  const ctx = backgroundContext(logger);
  return buildApp({
    registry: services.registry,
    controlPlane: services.controlPlane,
    access: services.access,
    trustedProxies: config.trustedProxies,
    collector: services.collector,
    publicUrl: config.publicUrl,
    logger,
    healthChecks: [
      { name: 'database', check: () => services.metadata.ping() },
      { name: 'storage', check: async () => void (await services.storage.stat(ctx, 'healthz')) },
    ],
    ...(config.tls ? { https: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } } : {}),
  });
}

async function openStorage(setting: StorageSetting): Promise<BlobDriver> {
  if (setting.kind === 's3') {
    const { bucket, prefix, region, endpoint, forcePathStyle, serverSideEncryption, sseKmsKeyId } = setting;
    // Loaded only here: the AWS SDK costs the embedded server ~23 MiB of RSS it would never use.
    const { openS3Driver } = await import('./storage/s3/s3-driver.js');
    const driver = openS3Driver({ bucket, prefix, region, endpoint, forcePathStyle, serverSideEncryption, sseKmsKeyId });
    try {
      // A HEAD of a key that need not exist: fails when the endpoint, the bucket or the credentials are wrong.
      await driver.stat(backgroundContext(), 'healthz');
    } catch (err) {
      await driver.close();
      throw new ConfigError(`BERTH_STORAGE_URL: cannot use bucket ${setting.bucket}: ${(err as Error).message}`);
    }
    return driver;
  }
  const driver = new FsBlobDriver(setting.root);
  try {
    await driver.init();
  } catch (err) {
    throw new ConfigError(`BERTH_STORAGE_URL: cannot use ${setting.root}: ${(err as Error).message}`);
  }
  return driver;
}

/** The metadata store a database URL names, migrated; a ConfigError naming the setting when it cannot be used. */
export async function openMetadata(url: string): Promise<Metadata> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    try {
      return await openSqlite(file);
    } catch (err) {
      throw new ConfigError(`BERTH_DATABASE_URL: cannot open ${file}: ${(err as Error).message}`);
    }
  }
  try {
    return await openPostgres(url);
  } catch (err) {
    throw new ConfigError(`BERTH_DATABASE_URL: cannot use PostgreSQL at ${postgresAddress(url)}: ${(err as Error).message}`);
  }
}

/** host:port/database of a postgres:// URL, without its credentials (they never reach a log). */
function postgresAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host || 'localhost'}${parsed.pathname}`;
  } catch {
    return 'the configured URL';
  }
}
