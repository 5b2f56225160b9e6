import type { DomainEvent } from '../events/domain-events.js';
import { deliverNow, writeToOutbox, type OutboxEntry } from '../events/outbox.js';
import { assertNotCollecting, awaitNotCollecting } from './collected-content.js';
import { isImmutableTag } from './tag-mutability.js';
import { createHash } from 'node:crypto';
import type { OpContext } from '../core/context.js';
import { looksLikeDigest, parseDigest, type Digest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import { assertRepositoryName, assertTag } from '../core/names.js';
import { insertReferencedBlob, linkedDigests, queueBlobReview } from '../metadata/blobs.repository.js';
import {
  deleteManifestRow,
  existingManifestDigests,
  findManifestByDigest,
  findManifestByTag,
  insertManifest,
  manifestChildren,
  manifestsReferencing,
  type ManifestRow,
} from '../metadata/manifests.repository.js';
import type { Db } from '../metadata/metadata.js';
import { deleteTag, findTagDigest, upsertTag } from '../metadata/tags.repository.js';
import { contentKey } from '../storage/keys.js';
import { parseManifest, type ParsedManifest } from './manifest-parser.js';
import { MANIFEST_MAX_BYTES } from './media-types.js';
import type { Registry } from './registry.js';
import { existingRepository, repositoryForPush } from './repositories.service.js';
import { readSmallRange } from './blobs.service.js';
import { fromStorageError } from './storage-errors.js';

export interface ManifestInfo {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly subject: string | undefined;
}

export interface PushedManifest {
  readonly digest: string;
  readonly subject: string | undefined;
}

/**
 * Stores a manifest under a tag or its digest (PUT /v2/<name>/manifests/<reference>). Every blob
 * and child manifest it references must be in the repository, except its subject (the spec requires
 * accepting a referrer before its subject). The bytes are stored before the rows that make them
 * visible, in one transaction that re-checks the references.
 */
export async function putManifest(
  registry: Registry,
  ctx: OpContext,
  repository: string,
  reference: string,
  contentType: string,
  bytes: Buffer,
): Promise<PushedManifest> {
  assertRepositoryName(repository);
  if (bytes.length > MANIFEST_MAX_BYTES) {
    throw new RegistryError('MANIFEST_TOO_LARGE', `the manifest is ${bytes.length} bytes; the limit is ${MANIFEST_MAX_BYTES}`);
  }
  const byDigest = looksLikeDigest(reference) ? parseDigest(reference) : undefined;
  if (!byDigest) assertTag(reference);
  const digest = digestOf(bytes, byDigest?.algorithm ?? 'sha256');
  if (byDigest && byDigest.value !== digest.value) {
    throw new RegistryError('DIGEST_INVALID', `the manifest's digest is ${digest.value}, not ${byDigest.value}`);
  }
  const parsed = parseManifest(bytes, contentType);
  const repo = await repositoryForPush(registry, repository);
  // The same manifest again (another tag, a retried push): its bytes, references and row are there.
  const known = (await findManifestByDigest(registry.metadata.db, repository, digest.value)) !== undefined;
  if (!known) {
    await awaitNotCollecting(registry, digest.value);
    try {
      await registry.storage.put(ctx, contentKey(digest), bytes);
    } catch (err) {
      throw fromStorageError(err);
    }
  }
  const event: DomainEvent = { type: 'ImagePushed', repository, digest: digest.value, mediaType: parsed.mediaType, ...(byDigest ? {} : { tag: reference }) };
  const pushed = await registry.metadata.transaction(async (trx): Promise<OutboxEntry> => {
    const now = registry.clock.now().getTime();
    if (known) {
      // Only the tag changes: no write to shared rows, so concurrent tag pushes do not conflict.
      if (!(await findManifestByDigest(trx, repository, digest.value))) {
        throw new RegistryError('UNAVAILABLE', `manifest ${digest.value} was deleted while this push ran; push it again`);
      }
    } else {
      await insertNewManifest(trx);
    }
    if (!byDigest) {
      if (isImmutableTag(repo, reference)) await assertTagUnmoved(trx, repo.id, repository, reference, digest.value);
      await upsertTag(trx, repo.id, reference, digest.value, now);
    }
    // The outbox: the event commits with the push, so a crash right after cannot lose it (scan on push).
    return writeToOutbox(trx, event, now);
  });
  registry.manifestCache.set(digest.value, { bytes, mediaType: parsed.mediaType });
  await deliverNow(ctx, registry.metadata.db, registry.events, pushed, registry.clock.now().getTime());
  return { digest: digest.value, subject: parsed.subject };

  async function insertNewManifest(trx: Db): Promise<void> {
    const now = registry.clock.now().getTime();
    await assertReferencesPresent(trx, repo.id, parsed);
    await assertNotCollecting(trx, digest.value, { bytesWritten: true });
    await insertReferencedBlob(trx, digest.value, bytes.length, now);
    await insertManifest(
      trx,
      {
        repository_id: repo.id,
        digest: digest.value,
        media_type: parsed.mediaType,
        size: bytes.length,
        artifact_type: parsed.artifactType ?? null,
        subject_digest: parsed.subject ?? null,
        annotations: parsed.annotations ? JSON.stringify(parsed.annotations) : null,
        pushed_at: now,
        last_pulled_at: null,
      },
      parsed.references,
    );
  }
}

/** The manifest a tag or digest names in the repository; MANIFEST_UNKNOWN when there is none. */
export async function resolveManifest(registry: Registry, repository: string, reference: string): Promise<ManifestInfo> {
  assertRepositoryName(repository);
  let row: ManifestRow | undefined;
  if (looksLikeDigest(reference)) {
    row = await findManifestByDigest(registry.metadata.db, repository, parseDigest(reference).value);
  } else {
    assertTag(reference);
    row = await findManifestByTag(registry.metadata.db, repository, reference);
  }
  if (!row) throw new RegistryError('MANIFEST_UNKNOWN', `manifest "${reference}" is unknown to repository "${repository}"`);
  return { digest: row.digest, mediaType: row.media_type, size: row.size, subject: row.subject_digest ?? undefined };
}

/** An image pull (manifest GET, BatchGetImage): remembered, and written with the next batch. */
export function notePull(registry: Registry, repository: string, digest: string): void {
  registry.pullTimes.record(repository, digest, registry.clock.now().getTime());
}

async function readWhole(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

/** The manifest's bytes, from the in-memory cache when possible. */
export async function readManifestBytes(registry: Registry, ctx: OpContext, manifest: ManifestInfo): Promise<Buffer> {
  const cached = registry.manifestCache.get(manifest.digest);
  if (cached) return cached.bytes;
  let bytes: Buffer;
  try {
    const key = contentKey(parseDigest(manifest.digest));
    const small = manifest.size > 0 ? readSmallRange(registry, ctx, key, { start: 0, end: manifest.size - 1 }) : undefined;
    bytes = await (small ?? readWhole(await registry.storage.read(ctx, key)));
  } catch (err) {
    throw fromStorageError(err);
  }
  registry.manifestCache.set(manifest.digest, { bytes, mediaType: manifest.mediaType });
  return bytes;
}

/**
 * Deletes by digest (the manifest and every tag on it) or by tag (the tag only, spec v1.1).
 * A manifest that an index of the repository lists is refused, so no index loses a child.
 */
export async function deleteManifest(registry: Registry, repository: string, reference: string): Promise<void> {
  const repo = await existingRepository(registry, repository);
  if (!looksLikeDigest(reference)) {
    assertTag(reference);
    const removed = await deleteTag(registry.metadata.db, repo.id, reference);
    if (removed === undefined) throw new RegistryError('MANIFEST_UNKNOWN', `tag "${reference}" is unknown to repository "${repository}"`);
    return;
  }
  const digest = parseDigest(reference).value;
  await registry.metadata.transaction(async (trx) => {
    if (!(await removeManifest(registry, trx, repo.id, digest))) {
      throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${digest} is unknown to repository "${repository}"`);
    }
  });
}

/**
 * Inside a transaction: deletes the manifest with its tags, and queues its blobs for garbage-collection
 * review. Returns false when there is no such manifest; MANIFEST_IN_USE when an index of the
 * repository lists it, so no index loses a child.
 */
export async function removeManifest(registry: Registry, trx: Db, repositoryId: number, digest: string): Promise<boolean> {
  const [parent] = await manifestsReferencing(trx, repositoryId, digest, 1);
  if (parent) throw new RegistryError('MANIFEST_IN_USE', `manifest ${digest} is listed by index ${parent}: delete the index first`, { parent });
  const children = await manifestChildren(trx, repositoryId, digest);
  if (!(await deleteManifestRow(trx, repositoryId, digest))) return false;
  const reviewAfter = registry.clock.now().getTime() + registry.settings.gcGraceMs;
  await queueBlobReview(trx, [digest, ...children.filter((c) => c.kind === 'blob').map((c) => c.digest)], reviewAfter);
  return true;
}

/**
 * In an IMMUTABLE repository a tag that exists never moves (TAG_IMMUTABLE, with ECR's message). Pushing
 * the same manifest to it again is accepted, so a retried push succeeds. Checked inside the manifest
 * transaction, so two concurrent pushes cannot both move it.
 */
async function assertTagUnmoved(trx: Db, repositoryId: number, repository: string, tag: string, digest: string): Promise<void> {
  const current = await findTagDigest(trx, repositoryId, tag);
  if (current !== undefined && current !== digest) {
    throw new RegistryError(
      'TAG_IMMUTABLE',
      `The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
    );
  }
}

async function assertReferencesPresent(trx: Db, repositoryId: number, parsed: ParsedManifest): Promise<void> {
  const blobs = parsed.references.filter((r) => r.kind === 'blob').map((r) => r.digest);
  const manifests = parsed.references.filter((r) => r.kind === 'manifest').map((r) => r.digest);
  const presentBlobs = await linkedDigests(trx, repositoryId, blobs);
  const missingBlob = blobs.find((d) => !presentBlobs.has(d));
  if (missingBlob) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob ${missingBlob} is not in the repository: push it before the manifest`, { digest: missingBlob });
  }
  const presentManifests = await existingManifestDigests(trx, repositoryId, manifests);
  const missingManifest = manifests.find((d) => !presentManifests.has(d));
  if (missingManifest) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest ${missingManifest} is not in the repository: push it before the index`, { digest: missingManifest });
  }
}

function digestOf(bytes: Buffer, algorithm: Digest['algorithm']): Digest {
  return parseDigest(`${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`);
}
