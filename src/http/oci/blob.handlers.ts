import { blobBody, blobDownloadUrl, deleteBlob, statBlob } from '../../registry/blobs.service.js';
import type { OciExchange } from './oci-request.js';
import { parseRangeHeader } from './ranges.js';

/** GET and HEAD /v2/<name>/blobs/<digest>, with single byte ranges (206). */
export async function getBlob(x: OciExchange, name: string, digest: string, head: boolean): Promise<void> {
  const blob = await statBlob(x.registry, name, digest);
  const range = head ? undefined : parseRangeHeader(x.request.headers.range, blob.size);
  x.reply
    .header('docker-content-digest', blob.digest)
    .header('content-type', 'application/octet-stream')
    .header('accept-ranges', 'bytes')
    .header('etag', `"${blob.digest}"`)
    .header('cache-control', 'max-age=31536000');
  if (head) {
    x.reply.header('content-length', blob.size).code(200).send();
    return;
  }
  const location = await blobDownloadUrl(x.registry, x.ctx, blob);
  if (location !== undefined) {
    // The client re-sends its Range header to the store, which answers 206 itself.
    x.reply.removeHeader('content-type').removeHeader('accept-ranges').code(307).header('location', location).header('cache-control', 'no-store').header('content-length', 0).send();
    return;
  }
  const body = await blobBody(x.registry, x.ctx, blob, range);
  if (range) {
    x.reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${blob.size}`).header('content-length', range.end - range.start + 1);
  } else {
    x.reply.code(200).header('content-length', blob.size);
  }
  return x.reply.send(body);
}

/** DELETE /v2/<name>/blobs/<digest>: unlinks it from the repository (202). */
export async function removeBlob(x: OciExchange, name: string, digest: string): Promise<void> {
  await deleteBlob(x.registry, name, digest);
  x.reply.code(202).header('content-length', 0).send();
}
