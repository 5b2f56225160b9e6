import type { Digest } from '../core/digest.js';

/**
 * The key layout, the one place that knows it: content by digest under `blobs/`, uploads in flight
 * under `uploads/`. Two hex characters of fan-out keep directories small on filesystems.
 */
export function contentKey(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex.slice(0, 2)}/${digest.hex}`;
}

/** The digest (`algorithm:hex`) a content key holds, or undefined for a key of another shape. */
export function digestOfContentKey(key: string): string | undefined {
  const match = /^blobs\/([a-z0-9]+)\/[0-9a-f]{2}\/([0-9a-f]+)$/.exec(key);
  return match ? `${match[1]}:${match[2]}` : undefined;
}

export const CONTENT_PREFIX = 'blobs/';
export const UPLOADS_PREFIX = 'uploads/';

export function uploadPrefix(id: string): string {
  return `${UPLOADS_PREFIX}${id}/`;
}
