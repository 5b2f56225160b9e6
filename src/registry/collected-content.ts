import { RegistryError } from '../core/errors.js';
import { findBlob } from '../metadata/blobs.repository.js';
import type { Db } from '../metadata/metadata.js';
import type { Registry } from './registry.js';

// Garbage collection marks a blob `deleting`, deletes its bytes, then its row. Content pushed again in
// that window must not be written under the key before the row is gone (its bytes would be deleted),
// nor linked to the dying row. These two checks, before the write and inside the linking transaction,
// are what ARCHITECTURE.md's "upload commit" rule asks.

const WAIT_MS = 30_000;

/** Before writing content's bytes: waits while garbage collection is removing the same content; returns its row, if any. */
export async function awaitNotCollecting(registry: Registry, digest: string): Promise<{ size: number; state: string } | undefined> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const row = await findBlob(registry.metadata.db, digest);
    if (row?.state !== 'deleting') return row;
    if (Date.now() > deadline) throw collecting(digest);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Inside the transaction that links content: refuses (retryably) content that collection took meanwhile:
 * a row being deleted, or, when this push relied on the stored bytes instead of writing its own, a row
 * that is gone (its bytes may be too).
 */
export async function assertNotCollecting(trx: Db, digest: string, push: { bytesWritten: boolean }): Promise<void> {
  const row = await findBlob(trx, digest);
  if (row?.state === 'deleting' || (!row && !push.bytesWritten)) throw collecting(digest);
}

function collecting(digest: string): RegistryError {
  return new RegistryError('UNAVAILABLE', `blob ${digest} is being garbage-collected right now; push it again`);
}
