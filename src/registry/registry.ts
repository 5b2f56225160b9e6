import type { Clock } from '../core/clock.js';
import type { Metadata } from '../metadata/metadata.js';
import type { BlobDriver } from '../storage/blob-driver.js';
import { ManifestCache } from './manifest-cache.js';
import { PullTimes } from './pull-times.js';
import { EventBus } from '../events/domain-events.js';
import { UploadHashes } from './upload-hashes.js';
import { HashThread } from './hash-thread.js';
import { PendingUploads } from './pending-uploads.js';

export interface RegistrySettings {
  /** A push to a missing repository creates it (else NAME_UNKNOWN, as ECR without a creation template). */
  readonly createOnPush: boolean;
  /** How long an unreferenced blob waits before garbage collection reviews it. */
  readonly gcGraceMs: number;
  /** Blob GETs answer with a redirect to the store's presigned URL when the driver can make one. */
  readonly redirectBlobDownloads?: boolean;
}

/** Everything the registry's operations work with; built once by compose.ts. */
export interface Registry {
  readonly metadata: Metadata;
  readonly storage: BlobDriver;
  readonly clock: Clock;
  readonly settings: RegistrySettings;
  /** Manifest bytes by digest: immutable, so safe to keep on every node. */
  readonly manifestCache: ManifestCache;
  /** Running hashes of uploads this process has seen every byte of. */
  readonly uploadHashes: UploadHashes;
  /** Upload sessions with no bytes yet, kept in memory where the registry is one process (SQLite); else undefined. */
  readonly pendingUploads: PendingUploads | undefined;
  /** Uploads a request of this process is writing right now: a second writer is refused. */
  readonly uploadsInProgress: Set<string>;
  /** Pull times waiting to be written (see PullTimes). */
  readonly pullTimes: PullTimes;
  /** Domain events (ImagePushed, …) for the rooms that subscribe. */
  readonly events: EventBus;
}

/** One for the process, like libuv's thread pool: registries built in one process (tests) share it. */
const processHashThread = new HashThread();

export function createRegistry(deps: Pick<Registry, 'metadata' | 'storage' | 'clock' | 'settings'> & { events?: EventBus; hashThread?: HashThread }): Registry {
  const { hashThread = processHashThread, ...rest } = deps;
  return {
    ...rest,
    manifestCache: new ManifestCache(64 * 1024 * 1024),
    uploadHashes: new UploadHashes(10_000, hashThread),
    // On PostgreSQL another node may receive the session's next request: there the session needs its row.
    pendingUploads: deps.metadata.dialect === 'sqlite' ? new PendingUploads(10_000) : undefined,
    uploadsInProgress: new Set(),
    pullTimes: new PullTimes(),
    events: deps.events ?? new EventBus(),
  };
}
