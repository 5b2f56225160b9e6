import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, type Config } from './config/config.js';
import { systemClock } from './core/clock.js';
import { backgroundContext, type Logger } from './core/context.js';
import { openSqlite } from './metadata/dialects/sqlite.js';
import type { Metadata } from './metadata/metadata.js';
import { createRegistry, type Registry } from './registry/registry.js';
import type { BlobDriver } from './storage/blob-driver.js';
import { FsBlobDriver } from './storage/fs/fs-driver.js';

/** The running parts of one Berth node. */
export interface Services {
  readonly registry: Registry;
  readonly metadata: Metadata;
  readonly storage: BlobDriver;
  close(): Promise<void>;
}

/** The composition root: the only place that picks concrete drivers and dialects. */
export async function composeServices(config: Config): Promise<Services> {
  const storage = await openStorage(config.storageUrl);
  let metadata: Metadata;
  try {
    metadata = await openMetadata(config.databaseUrl);
  } catch (err) {
    await storage.close();
    throw err;
  }
  const registry = createRegistry({
    metadata,
    storage,
    clock: systemClock,
    settings: { createOnPush: config.createOnPush, gcGraceMs: config.gcGraceMs },
  });
  return {
    registry,
    metadata,
    storage,
    async close() {
      await metadata.close();
      await storage.close();
    },
  };
}

/** The HTTP app over composed services. */
export async function composeApp(config: Config, services: Services, logger: Logger): Promise<FastifyInstance> {
  const ctx = backgroundContext(logger);
  return buildApp({
    registry: services.registry,
    publicUrl: config.publicUrl,
    logger,
    healthChecks: [
      { name: 'database', check: () => services.metadata.ping() },
      { name: 'storage', check: async () => void (await services.storage.stat(ctx, 'healthz')) },
    ],
    ...(config.tls ? { https: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } } : {}),
  });
}

async function openStorage(url: string): Promise<BlobDriver> {
  if (url.startsWith('file:')) {
    const root = url.slice('file:'.length);
    const driver = new FsBlobDriver(root);
    try {
      await driver.init();
    } catch (err) {
      throw new ConfigError(`BERTH_STORAGE_URL: cannot use ${root}: ${(err as Error).message}`);
    }
    return driver;
  }
  throw new ConfigError(`BERTH_STORAGE_URL: ${url.split('?')[0]} is not supported by this build yet (use a file path)`);
}

async function openMetadata(url: string): Promise<Metadata> {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    try {
      return await openSqlite(file);
    } catch (err) {
      throw new ConfigError(`BERTH_DATABASE_URL: cannot open ${file}: ${(err as Error).message}`);
    }
  }
  throw new ConfigError('BERTH_DATABASE_URL: PostgreSQL is not supported by this build yet (use sqlite:PATH)');
}
