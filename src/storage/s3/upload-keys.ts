import { randomBytes } from 'node:crypto';
import { uploadPrefix } from '../keys.js';

/**
 * The objects of one upload, all under `uploads/<id>/`: a marker that says the upload is open, the
 * pending tails of appends, and the key the multipart upload completes into.
 */
export function markerKey(id: string): string {
  return `${uploadPrefix(id)}open`;
}

export function assembledKey(id: string): string {
  return `${uploadPrefix(id)}assembled`;
}

/**
 * A key for the pending bytes [start, end) that no other append uses, so an append never overwrites
 * the tail that the previous (still valid) state points to.
 */
export function tailKey(id: string, start: number, end: number): string {
  return `${uploadPrefix(id)}tail-${start}-${end}-${randomBytes(4).toString('hex')}`;
}
