import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Clock } from '../../src/core/clock.js';
import { openSqlite } from '../../src/metadata/dialects/sqlite.js';
import { createRegistry, type Registry, type RegistrySettings } from '../../src/registry/registry.js';
import type { BlobDriver } from '../../src/storage/blob-driver.js';
import { FsBlobDriver } from '../../src/storage/fs/fs-driver.js';
import { MemoryBlobDriver } from '../../src/storage/memory/memory-driver.js';

export interface TestRegistry {
  readonly app: FastifyInstance;
  readonly registry: Registry;
  readonly storage: BlobDriver;
  close(): Promise<void>;
}

export interface TestRegistryOptions {
  readonly storage?: 'memory' | 'fs';
  readonly settings?: Partial<RegistrySettings>;
  readonly clock?: Clock;
  readonly publicUrl?: string;
}

/** A whole registry in this process: SQLite in memory, memory or fs storage, the real HTTP app. */
export async function startTestRegistry(options: TestRegistryOptions = {}): Promise<TestRegistry> {
  const dir = options.storage === 'fs' ? await mkdtemp(path.join(tmpdir(), 'berth-test-')) : undefined;
  const storage = dir ? new FsBlobDriver(path.join(dir, 'blobs')) : new MemoryBlobDriver();
  if (storage instanceof FsBlobDriver) await storage.init();
  const metadata = await openSqlite(':memory:');
  const registry = createRegistry({
    metadata,
    storage,
    clock: options.clock ?? { now: () => new Date() },
    settings: { createOnPush: true, gcGraceMs: 60_000, ...options.settings },
  });
  const app = await buildApp({ registry, publicUrl: options.publicUrl, healthChecks: [] });
  await app.ready();
  return {
    app,
    registry,
    storage,
    async close() {
      await app.close();
      await metadata.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
