import { Readable } from 'node:stream';
import type { EcrInput } from '../contracts/ecr-inputs.js';
import { looksLikeDigest, parseDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import { blobDownloadUrl, statBlob } from '../registry/blobs.service.js';
import { existingRepository } from '../registry/repositories.service.js';
import { appendChunk, completeUpload, getUploadStatus, startUpload } from '../registry/uploads.service.js';
import { accountOf, asEcr, checkRegistryId, type Call, type ControlPlane } from './control-plane.js';

/** ECR's largest layer part (UploadLayerPart's layerPartBlob). */
const PART_SIZE = 20 * 1024 * 1024;

export async function batchCheckLayerAvailability(cp: ControlPlane, _call: Call, input: EcrInput<'BatchCheckLayerAvailability'>) {
  checkRegistryId(cp, input.registryId);
  await asEcr(cp, input.repositoryName, () => existingRepository(cp.registry, input.repositoryName));
  const layers = [];
  const failures = [];
  for (const layerDigest of input.layerDigests) {
    if (!looksLikeDigest(layerDigest)) {
      failures.push({ layerDigest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
      continue;
    }
    const blob = await statBlob(cp.registry, input.repositoryName, layerDigest).catch(() => undefined);
    if (blob) layers.push({ layerDigest: blob.digest, layerAvailability: 'AVAILABLE', layerSize: blob.size });
    else failures.push({ layerDigest, failureCode: 'MissingLayerDigest', failureReason: 'Could not find layer' });
  }
  return { layers, failures };
}

export async function initiateLayerUpload(cp: ControlPlane, call: Call, input: EcrInput<'InitiateLayerUpload'>) {
  checkRegistryId(cp, input.registryId);
  await asEcr(cp, input.repositoryName, () => existingRepository(cp.registry, input.repositoryName));
  const upload = await startUpload(cp.registry, call.ctx, input.repositoryName);
  return { uploadId: upload.id, partSize: PART_SIZE };
}

/** One part, which must start right after the bytes received so far (InvalidLayerPartException otherwise). */
export async function uploadLayerPart(cp: ControlPlane, call: Call, input: EcrInput<'UploadLayerPart'>) {
  checkRegistryId(cp, input.registryId);
  const name = input.repositoryName;
  const part = Buffer.from(input.layerPartBlob, 'base64');
  const ids = { registryId: accountOf(cp), repositoryName: name, uploadId: input.uploadId };
  const status = await asEcr(cp, name, () => uploadStatus(cp, name, input.uploadId));
  const invalidPart = (why: string) => new RegistryError('LAYER_PART_INVALID', why, { ...ids, lastValidByteReceived: status.size - 1 });
  if (input.partFirstByte !== status.size) throw invalidPart(`The part starts at byte ${input.partFirstByte}, but the upload has ${status.size} bytes`);
  if (input.partLastByte - input.partFirstByte + 1 !== part.length) {
    throw invalidPart(`The part covers bytes ${input.partFirstByte}-${input.partLastByte}, but layerPartBlob has ${part.length} bytes`);
  }
  const after = await appendChunk(cp.registry, call.ctx, name, input.uploadId, { body: Readable.from([part]), start: input.partFirstByte, length: part.length });
  return { ...ids, lastByteReceived: after.size - 1 };
}

export async function completeLayerUpload(cp: ControlPlane, call: Call, input: EcrInput<'CompleteLayerUpload'>) {
  checkRegistryId(cp, input.registryId);
  const name = input.repositoryName;
  const status = await asEcr(cp, name, () => uploadStatus(cp, name, input.uploadId));
  if (status.size === 0) throw new RegistryError('UPLOAD_EMPTY', `The upload ${input.uploadId} has no parts`);
  const [digest] = input.layerDigests;
  try {
    const blob = await completeUpload(cp.registry, call.ctx, name, input.uploadId, digest, undefined);
    return { registryId: accountOf(cp), repositoryName: name, uploadId: input.uploadId, layerDigest: blob.digest };
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'DIGEST_INVALID') throw new RegistryError('LAYER_INVALID', err.message);
    throw err;
  }
}

export async function getDownloadUrlForLayer(cp: ControlPlane, call: Call, input: EcrInput<'GetDownloadUrlForLayer'>) {
  checkRegistryId(cp, input.registryId);
  await asEcr(cp, input.repositoryName, () => existingRepository(cp.registry, input.repositoryName));
  const blob = await statBlob(cp.registry, input.repositoryName, input.layerDigest).catch((err: unknown) => {
    if (err instanceof RegistryError && err.code === 'BLOB_UNKNOWN') {
      throw new RegistryError('BLOB_UNKNOWN', `The image layer '${input.layerDigest}' does not exist in the repository with name '${input.repositoryName}' in the registry with id '${accountOf(cp)}'`);
    }
    throw err;
  });
  // A presigned URL of the store, as ECR gives, when blob downloads redirect; else the layer's /v2 URL.
  const presigned = await blobDownloadUrl(cp.registry, call.ctx, blob);
  return { downloadUrl: presigned ?? `${call.endpoint}/v2/${input.repositoryName}/blobs/${parseDigest(blob.digest).value}`, layerDigest: blob.digest };
}

async function uploadStatus(cp: ControlPlane, name: string, id: string) {
  await existingRepository(cp.registry, name);
  return getUploadStatus(cp.registry, name, id);
}
