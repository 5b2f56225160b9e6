import type { Digest } from '../core/digest.js';

/**
 * The key layout, the one place that knows it: content by digest under `blobs/`, uploads in flight
 * under `uploads/`. Two hex characters of fan-out keep directories small on filesystems.
 */
export function contentKey(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex.slice(0, 2)}/${digest.hex}`;
}

export const CONTENT_PREFIX = 'blobs/';
export const UPLOADS_PREFIX = 'uploads/';

export function uploadPrefix(id: string): string {
  return `${UPLOADS_PREFIX}${id}/`;
}
