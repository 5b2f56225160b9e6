import { RegistryError } from '../../core/errors.js';
import {
  appendChunk,
  cancelUpload,
  completeUpload,
  getUploadStatus,
  mountBlob,
  startUpload,
  uploadWhole,
  type Chunk,
  type StoredBlob,
} from '../../registry/uploads.service.js';
import { bodyOf, declaredLength, hasBody, repositoryPath, uploadRange, type OciExchange } from './oci-request.js';
import { parseContentRange } from './ranges.js';

/** POST /v2/<name>/blobs/uploads/: a mount, a monolithic upload, or a new session. */
export async function postUpload(x: OciExchange, name: string): Promise<void> {
  const mount = x.query.get('mount');
  const digest = x.query.get('digest');
  if (mount !== null) {
    const from = x.query.get('from');
    // A mount needs pull rights on the source; without them the client gets a normal upload session.
    const mounted = from && x.authorized.mountAllowed ? await mountBlob(x.registry, name, mount, from) : undefined;
    if (mounted) return blobCreated(x, name, mounted);
  } else if (digest !== null) {
    return blobCreated(x, name, await uploadWhole(x.registry, x.ctx, name, digest, chunkOf(x)));
  }
  const upload = await startUpload(x.registry, x.ctx, name);
  sessionAccepted(x, name, upload.id, upload.size, 202);
}

/** PATCH /v2/<name>/blobs/uploads/<id>: appends one chunk. */
export async function patchUpload(x: OciExchange, name: string, id: string): Promise<void> {
  const status = await appendChunk(x.registry, x.ctx, name, id, chunkOf(x));
  sessionAccepted(x, name, id, status.size, 202);
}

/** PUT /v2/<name>/blobs/uploads/<id>?digest=: completes, with an optional last chunk. */
export async function putUpload(x: OciExchange, name: string, id: string): Promise<void> {
  const finalChunk = hasBody(x) ? chunkOf(x) : undefined;
  const blob = await completeUpload(x.registry, x.ctx, name, id, x.query.get('digest') ?? undefined, finalChunk);
  blobCreated(x, name, blob);
}

/** GET /v2/<name>/blobs/uploads/<id>: where the upload stands (204 with Range). */
export async function getUpload(x: OciExchange, name: string, id: string): Promise<void> {
  const status = await getUploadStatus(x.registry, name, id);
  sessionAccepted(x, name, id, status.size, 204);
}

/** DELETE /v2/<name>/blobs/uploads/<id>: cancels it. */
export async function deleteUpload(x: OciExchange, name: string, id: string): Promise<void> {
  await cancelUpload(x.registry, x.ctx, name, id);
  x.reply.code(204).send();
}

function chunkOf(x: OciExchange): Chunk {
  const range = parseContentRange(x.request.headers['content-range']);
  const length = declaredLength(x);
  if (range && length !== undefined && length !== range.end - range.start + 1) {
    throw new RegistryError('SIZE_INVALID', `Content-Range ${range.start}-${range.end} covers ${range.end - range.start + 1} bytes but Content-Length is ${length}`);
  }
  return {
    body: bodyOf(x),
    ...(range ? { start: range.start, length: range.end - range.start + 1 } : {}),
    ...(!range && length !== undefined ? { length } : {}),
  };
}

function sessionAccepted(x: OciExchange, name: string, id: string, size: number, status: 202 | 204): void {
  x.reply
    .code(status)
    .header('location', `${x.baseUrl}${repositoryPath(name)}/blobs/uploads/${id}`)
    .header('range', uploadRange(size))
    .header('docker-upload-uuid', id)
    .header('content-length', 0)
    .send();
}

function blobCreated(x: OciExchange, name: string, blob: StoredBlob): void {
  x.reply
    .code(201)
    .header('location', `${x.baseUrl}${repositoryPath(name)}/blobs/${blob.digest}`)
    .header('docker-content-digest', blob.digest)
    .header('content-length', 0)
    .send();
}
