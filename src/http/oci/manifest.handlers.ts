import { RegistryError } from '../../core/errors.js';
import { deleteManifest, notePull, putManifest, readManifestBytes, resolveManifest } from '../../registry/manifests.service.js';
import { MANIFEST_MAX_BYTES } from '../../registry/media-types.js';
import { readSmallBody, repositoryPath, type OciExchange } from './oci-request.js';

/**
 * GET and HEAD /v2/<name>/manifests/<reference>. The stored manifest is served whatever the Accept
 * header lists: one representation exists per digest, and a 404 for a manifest that is there (what
 * Distribution answers when an OCI type is not listed) only confuses clients.
 */
export async function getManifest(x: OciExchange, name: string, reference: string, head: boolean): Promise<void> {
  const manifest = await resolveManifest(x.registry, name, reference);
  x.reply
    .code(200)
    .header('content-type', manifest.mediaType)
    .header('docker-content-digest', manifest.digest)
    .header('etag', `"${manifest.digest}"`)
    .header('content-length', manifest.size);
  if (manifest.subject) x.reply.header('oci-subject', manifest.subject);
  if (head) return x.reply.send();
  const bytes = await readManifestBytes(x.registry, x.ctx, manifest);
  notePull(x.registry, name, manifest.digest);
  return x.reply.send(bytes);
}

/** PUT /v2/<name>/manifests/<reference>, capped at 4 MiB. */
export async function putManifestHandler(x: OciExchange, name: string, reference: string): Promise<void> {
  const bytes = await readSmallBody(
    x,
    MANIFEST_MAX_BYTES,
    (size) => new RegistryError('MANIFEST_TOO_LARGE', `the manifest is ${size} bytes or more; the limit is ${MANIFEST_MAX_BYTES}`),
  );
  const contentType = (x.request.headers['content-type'] ?? '').split(';')[0]!.trim();
  const pushed = await putManifest(x.registry, x.ctx, name, reference, contentType, bytes);
  x.reply
    .code(201)
    .header('location', `${x.baseUrl}${repositoryPath(name)}/manifests/${pushed.digest}`)
    .header('docker-content-digest', pushed.digest)
    .header('content-length', 0);
  if (pushed.subject) x.reply.header('oci-subject', pushed.subject);
  x.reply.send();
}

/** DELETE /v2/<name>/manifests/<reference> (202). */
export async function deleteManifestHandler(x: OciExchange, name: string, reference: string): Promise<void> {
  await deleteManifest(x.registry, name, reference);
  x.reply.code(202).header('content-length', 0).send();
}
