import { assertNotCollecting, awaitNotCollecting } from './collected-content.js';
import { createHash, randomUUID } from 'node:crypto';
import type { OpContext } from '../core/context.js';
import { parseDigest, type Digest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import { assertRepositoryName } from '../core/names.js';
import { findBlob, findLinkedBlobByName, insertOrPostponeBlob, linkBlob, postponeReview } from '../metadata/blobs.repository.js';
import { findRepositoryByName } from '../metadata/repositories.repository.js';
import { advanceUpload, deleteUpload, findUpload, insertUpload, type UploadRow } from '../metadata/uploads.repository.js';
import type { UploadRef } from '../storage/blob-driver.js';
import { contentKey } from '../storage/keys.js';
import type { Registry } from './registry.js';
import { repositoryForPush } from './repositories.service.js';
import { fromStorageError } from './storage-errors.js';
import type { RunningHash } from './running-hash.js';

/** The bytes of one PATCH or PUT, with the range the client says they cover (Content-Range / -Length). */
export interface Chunk {
  readonly body: AsyncIterable<Uint8Array>;
  /** Content-Range start, when the client sent one: must equal the upload's current size. */
  readonly start?: number;
  /** The byte count the client declared (Content-Length or the Content-Range span). */
  readonly length?: number;
}

/** A chunk that starts an upload and declares fewer bytes than this is gathered in memory and stored with one put. */
const GATHER_BELOW_BYTES = 1024 * 1024;

export interface UploadStatus {
  readonly id: string;
  readonly size: number;
}

export interface StoredBlob {
  readonly digest: string;
  readonly size: number;
}

/**
 * An upload session: its row, or a session with no bytes yet that this process holds in memory
 * (`pending`, see PendingUploads), which has no row and nothing in storage until its first bytes.
 */
interface UploadSession extends UploadRow {
  readonly pending: boolean;
}

/** Opens an upload session in the repository (created on push when allowed). */
export async function startUpload(registry: Registry, ctx: OpContext, repository: string): Promise<UploadStatus> {
  const repo = await repositoryForPush(registry, repository);
  const id = randomUUID();
  const now = registry.clock.now().getTime();
  if (!registry.pendingUploads?.add({ id, repository_id: repo.id, created_at: now })) await recordSession(registry, ctx, id, repo.id, now);
  return { id, size: 0 };
}

/** Gives a session its storage and its row. */
async function recordSession(registry: Registry, ctx: OpContext, id: string, repositoryId: number, createdAt: number): Promise<UploadRef> {
  const ref = await withStorage(() => registry.storage.createUpload(ctx, id));
  const now = registry.clock.now().getTime();
  await insertUpload(registry.metadata.db, { id, repository_id: repositoryId, size: 0, driver_state: ref.state, created_at: createdAt, updated_at: now });
  return ref;
}

/** The session as one with a row and storage: a pending one gets them now, before its first bytes are written. */
async function stored(registry: Registry, ctx: OpContext, session: UploadSession): Promise<UploadSession> {
  if (!session.pending) return session;
  const ref = await recordSession(registry, ctx, session.id, session.repository_id, session.created_at);
  registry.pendingUploads?.delete(session.id);
  return { ...session, driver_state: ref.state, pending: false };
}

/** Size so far of an upload of the repository; BLOB_UPLOAD_UNKNOWN when there is none. */
export async function getUploadStatus(registry: Registry, repository: string, id: string): Promise<UploadStatus> {
  const row = await requireUpload(registry, repository, id);
  return { id, size: row.size };
}

/** Appends a chunk (PATCH). A chunk that does not start at the current size is refused with 416. */
export async function appendChunk(registry: Registry, ctx: OpContext, repository: string, id: string, chunk: Chunk): Promise<UploadStatus> {
  return withUpload(registry, id, async () => {
    const row = await stored(registry, ctx, await requireUpload(registry, repository, id));
    const size = await appendToRow(registry, ctx, row, chunk);
    return { id, size };
  });
}

/**
 * Completes an upload (PUT ?digest=), appending a final chunk first when there is one. The bytes are
 * verified against the digest before the blob becomes visible; on a mismatch the upload is discarded.
 */
export async function completeUpload(
  registry: Registry,
  ctx: OpContext,
  repository: string,
  id: string,
  digestText: string | undefined,
  finalChunk: Chunk | undefined,
): Promise<StoredBlob> {
  if (digestText === undefined || digestText === '') {
    throw new RegistryError('DIGEST_INVALID', 'the digest query parameter is required to complete an upload');
  }
  const digest = parseDigest(digestText);
  return withUpload(registry, id, async () => {
    const session = await requireUpload(registry, repository, id);
    if (session.size === 0 && (finalChunk === undefined || isSmall(finalChunk))) return completeFromMemory(registry, ctx, session, digest, finalChunk);
    const row = await stored(registry, ctx, session);
    let ref: UploadRef = { id, size: row.size, state: row.driver_state };
    let hash = registry.uploadHashes.take(id, row.size, finalChunk ? finalChunk.length : 0);
    // The final chunk's size is not recorded in the row: the transaction below deletes the row.
    if (finalChunk) ({ ref, hash } = await writeChunk(registry, ctx, ref, hash, finalChunk));
    const actual = await uploadDigest(registry, ctx, ref, digest, hash);
    if (actual !== digest.value) {
      await discardUpload(registry, ctx, ref);
      throw digestMismatch(digest, actual);
    }
    const wrote = await storeContent(registry, ctx, digest, () => registry.storage.commitUpload(ctx, ref, contentKey(digest)));
    if (!wrote) await withStorage(() => registry.storage.abortUpload(ctx, ref));
    await recordBlob(registry, row, digest, ref.size, wrote);
    return { digest: digest.value, size: ref.size };
  });
}

/**
 * Completes an upload that has no bytes yet with a small final chunk (or none): the usual monolithic
 * push of a config or a small layer. The chunk is gathered in memory (the streaming writer would
 * gather as much into one piece anyway), verified before anything is written, and stored with one
 * durable put, so no upload file is written, synced and renamed.
 */
async function completeFromMemory(registry: Registry, ctx: OpContext, session: UploadSession, digest: Digest, chunk: Chunk | undefined): Promise<StoredBlob> {
  const ref: UploadRef = { id: session.id, size: 0, state: session.driver_state };
  registry.uploadHashes.forget(session.id);
  const bytes = chunk ? await gather(chunk) : Buffer.alloc(0);
  const actual = `${digest.algorithm}:${createHash(digest.algorithm).update(bytes).digest('hex')}`;
  if (actual !== digest.value) {
    await discardSession(registry, ctx, session);
    throw digestMismatch(digest, actual);
  }
  const wrote = await storeContent(registry, ctx, digest, () => registry.storage.put(ctx, contentKey(digest), bytes));
  await recordBlob(registry, session, digest, bytes.length, wrote);
  if (session.pending) registry.pendingUploads?.delete(session.id);
  else await releaseStorage(registry, ctx, ref);
  return { digest: digest.value, size: bytes.length };
}

/** Links verified content to the upload's repository and ends the upload, in one transaction. */
async function recordBlob(registry: Registry, row: UploadSession, digest: Digest, size: number, wrote: boolean): Promise<void> {
  await registry.metadata.transaction(async (trx) => {
    const now = registry.clock.now().getTime();
    const reviewAfter = now + registry.settings.gcGraceMs;
    await assertNotCollecting(trx, digest.value, { bytesWritten: wrote });
    // Unreferenced content is collected after the grace period; a manifest that uses it ends that.
    await insertOrPostponeBlob(trx, digest.value, size, now, reviewAfter);
    await linkBlob(trx, row.repository_id, digest.value, now);
    if (!row.pending) await deleteUpload(trx, row.id);
  });
}

function digestMismatch(digest: Digest, actual: string): RegistryError {
  return new RegistryError('DIGEST_INVALID', `the uploaded content has digest ${actual}, not ${digest.value}; the upload was discarded`, {
    expected: digest.value,
    actual,
  });
}

/** Monolithic upload (POST ?digest= with the whole blob as the body). */
export async function uploadWhole(registry: Registry, ctx: OpContext, repository: string, digestText: string, chunk: Chunk): Promise<StoredBlob> {
  parseDigest(digestText); // refuse a bad digest before reading the body
  const { id } = await startUpload(registry, ctx, repository);
  try {
    return await completeUpload(registry, ctx, repository, id, digestText, chunk);
  } catch (err) {
    await cancelUpload(registry, ctx, repository, id).catch(() => {});
    throw err;
  }
}

/** Cancels an upload (DELETE); BLOB_UPLOAD_UNKNOWN when there is none. */
export async function cancelUpload(registry: Registry, ctx: OpContext, repository: string, id: string): Promise<void> {
  await discardSession(registry, ctx, await requireUpload(registry, repository, id));
}

/**
 * Cross-repository mount: links a blob of `from` into `repository` without moving bytes.
 * Returns the blob, or undefined when it can't be mounted (the caller then opens a session instead).
 */
export async function mountBlob(registry: Registry, repository: string, digestText: string, from: string): Promise<StoredBlob | undefined> {
  const digest = parseDigest(digestText);
  assertRepositoryName(repository);
  if (from === repository) return undefined;
  try {
    assertRepositoryName(from);
  } catch {
    return undefined;
  }
  const source = await findLinkedBlobByName(registry.metadata.db, from, digest.value);
  if (!source) return undefined;
  const target = await repositoryForPush(registry, repository);
  const mounted = await registry.metadata.transaction(async (trx) => {
    // Re-check inside the transaction: the source may have lost the blob meanwhile.
    const still = await findBlob(trx, digest.value);
    if (!still || still.state !== 'active') return false;
    const now = registry.clock.now().getTime();
    await postponeReview(trx, digest.value, now + registry.settings.gcGraceMs);
    await linkBlob(trx, target.id, digest.value, now);
    return true;
  });
  return mounted ? { digest: digest.value, size: source.size } : undefined;
}

async function requireUpload(registry: Registry, repository: string, id: string): Promise<UploadSession> {
  assertRepositoryName(repository);
  const wellFormed = /^[0-9a-f-]{36}$/.test(id);
  const pending = wellFormed ? await pendingSession(registry, repository, id) : undefined;
  if (pending) return pending;
  const row = wellFormed ? await findUpload(registry.metadata.db, repository, id) : undefined;
  if (!row) {
    const repoExists = await findRepositoryByName(registry.metadata.db, repository);
    const where = repoExists ? `in repository "${repository}"` : `(repository "${repository}" does not exist)`;
    throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id.slice(0, 64)} is unknown ${where}: it completed, was cancelled or expired`);
  }
  return { ...row, pending: false };
}

/** The pending session `id` of the repository, while the repository it was opened in still exists. */
async function pendingSession(registry: Registry, repository: string, id: string): Promise<UploadSession | undefined> {
  const pending = registry.pendingUploads?.get(id);
  if (!pending) return undefined;
  const repo = await findRepositoryByName(registry.metadata.db, repository);
  if (repo?.id !== pending.repository_id) return undefined;
  return { ...pending, repository, size: 0, driver_state: '', pending: true };
}

async function withUpload<T>(registry: Registry, id: string, work: () => Promise<T>): Promise<T> {
  const busyUploads = registry.uploadsInProgress;
  if (busyUploads.has(id)) {
    throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} is being written by another request; send chunks one at a time`);
  }
  busyUploads.add(id);
  try {
    return await work();
  } finally {
    busyUploads.delete(id);
  }
}

/** Appends a chunk and records the upload's new size in its row (a PATCH). */
async function appendToRow(registry: Registry, ctx: OpContext, row: UploadRow, chunk: Chunk): Promise<number> {
  const before: UploadRef = { id: row.id, size: row.size, state: row.driver_state };
  const { ref: next, hash } = await writeChunk(registry, ctx, before, registry.uploadHashes.take(row.id, row.size, chunk.length), chunk);
  let kept = false;
  try {
    const advanced = await advanceUpload(registry.metadata.db, row.id, row.size, next.size, next.state, registry.clock.now().getTime());
    if (!advanced) throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${row.id} changed while this chunk was written; check its status and resume`);
    if (hash) registry.uploadHashes.keep(row.id, hash, next.size);
    kept = true;
    return next.size;
  } finally {
    if (!kept) hash?.dispose();
  }
}

/**
 * Streams a chunk into storage after the upload's bytes, hashing it on the way when `hash` (the
 * running hash of every earlier byte) is given. 416 when the chunk does not start at the current size.
 */
async function writeChunk(
  registry: Registry,
  ctx: OpContext,
  upload: UploadRef,
  hash: RunningHash | undefined,
  chunk: Chunk,
): Promise<{ ref: UploadRef; hash: RunningHash | undefined }> {
  assertStartsAt(chunk, upload.size);
  const hashed = (async function* () {
    for await (const part of declaredBytes(chunk)) {
      const behind = hash?.update(part);
      if (behind) await behind;
      yield part;
    }
  })();
  try {
    return { ref: await registry.storage.appendUpload(ctx, upload, hashed), hash };
  } catch (err) {
    hash?.dispose(); // it has seen bytes the upload may not keep
    throw fromStorageError(err);
  }
}

/** The bytes of a chunk that starts an upload and declares a small length, in one buffer. */
async function gather(chunk: Chunk): Promise<Buffer> {
  assertStartsAt(chunk, 0);
  const parts: Uint8Array[] = [];
  for await (const part of declaredBytes(chunk)) parts.push(part);
  return Buffer.concat(parts);
}

/** Whether a chunk is small enough to be gathered in memory: it declares fewer bytes than a write piece. */
function isSmall(chunk: Chunk): boolean {
  return chunk.length !== undefined && chunk.length < GATHER_BELOW_BYTES;
}

/** 416 when the chunk does not start at the upload's current size. */
function assertStartsAt(chunk: Chunk, size: number): void {
  if (chunk.start !== undefined && chunk.start !== size) {
    throw new RegistryError('UPLOAD_OFFSET_INVALID', `chunk starts at byte ${chunk.start} but the upload has ${size} bytes: send the chunk that starts at ${size}`, { size });
  }
}

/** The chunk's body, refused with SIZE_INVALID as soon as it holds more bytes than it declared, or at its end when fewer. */
async function* declaredBytes(chunk: Chunk): AsyncIterable<Uint8Array> {
  let received = 0;
  for await (const part of chunk.body) {
    received += part.byteLength;
    if (chunk.length !== undefined && received > chunk.length) {
      throw new RegistryError('SIZE_INVALID', `the chunk has more than the ${chunk.length} bytes it declared`);
    }
    yield part;
  }
  if (chunk.length !== undefined && received !== chunk.length) {
    throw new RegistryError('SIZE_INVALID', `the chunk declared ${chunk.length} bytes but ${received} arrived`);
  }
}

/** The upload's digest in the algorithm of `expected`: from the running sha256 hash, else by reading it back. */
async function uploadDigest(registry: Registry, ctx: OpContext, ref: UploadRef, expected: Digest, running: RunningHash | undefined): Promise<string> {
  if (running && expected.algorithm === 'sha256') {
    const hex = await running.digest().catch(() => undefined); // a lost hash: read the bytes back
    if (hex !== undefined) return `sha256:${hex}`;
  } else running?.dispose();
  const hash = createHash(expected.algorithm);
  try {
    for await (const part of await registry.storage.readUpload(ctx, ref)) hash.update(part as Buffer);
  } catch (err) {
    throw fromStorageError(err);
  }
  return `${expected.algorithm}:${hash.digest('hex')}`;
}

/**
 * Stores verified content with `write`, unless it is stored already; returns whether it wrote (when it
 * did not, the caller drops its copy).
 */
async function storeContent(registry: Registry, ctx: OpContext, digest: Digest, write: () => Promise<void>): Promise<boolean> {
  return withStorage(async () => {
    const existing = await awaitNotCollecting(registry, digest.value);
    if (existing?.state === 'active' && (await registry.storage.stat(ctx, contentKey(digest)))) return false;
    await write();
    return true;
  });
}

async function withStorage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw fromStorageError(err);
  }
}

async function discardSession(registry: Registry, ctx: OpContext, session: UploadSession): Promise<void> {
  if (session.pending) return registry.pendingUploads?.delete(session.id);
  await discardUpload(registry, ctx, { id: session.id, size: session.size, state: session.driver_state });
}

async function discardUpload(registry: Registry, ctx: OpContext, ref: UploadRef): Promise<void> {
  registry.uploadHashes.forget(ref.id);
  await deleteUpload(registry.metadata.db, ref.id);
  await releaseStorage(registry, ctx, ref);
}

/** Removes what storage holds for an upload whose row is gone; a failure leaves bytes the collector removes later. */
async function releaseStorage(registry: Registry, ctx: OpContext, ref: UploadRef): Promise<void> {
  try {
    await registry.storage.abortUpload(ctx, ref);
  } catch (err) {
    ctx.log.warn({ err, upload: ref.id }, 'could not remove the bytes of a finished upload');
  }
}
