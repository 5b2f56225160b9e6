import type { UploadRef } from '../blob-driver.js';
import { uploadPrefix } from '../keys.js';
import { StorageError } from '../storage-error.js';

/** One uploaded part of the multipart upload. */
export interface PartRecord {
  readonly n: number;
  readonly etag: string;
  readonly size: number;
}

/** Bytes after the last part, too few for a part (S3's 5 MiB minimum), kept as their own object. */
export interface TailRecord {
  readonly key: string;
  readonly size: number;
}

/**
 * Everything the driver knows about an upload, kept in UploadRef.state (the registry stores it in the
 * upload row), so that any process can continue the upload. The multipart upload exists only once
 * the first full part does; parts are numbered 1..parts.length without gaps.
 */
export interface UploadState {
  readonly uploadId?: string;
  readonly parts: readonly PartRecord[];
  readonly tail?: TailRecord;
}

const VERSION = 1;

export function encodeState(state: UploadState): string {
  return JSON.stringify({ v: VERSION, ...state });
}

/** The state of `upload`; INVALID_UPLOAD when it is not one this driver wrote or does not add up to its size. */
export function decodeState(upload: UploadRef): UploadState {
  let raw: unknown;
  try {
    raw = JSON.parse(upload.state);
  } catch {
    throw invalid(upload, 'its state is not JSON');
  }
  if (!isRecord(raw) || raw['v'] !== VERSION) throw invalid(upload, 'its state has an unknown version');
  const { uploadId, parts, tail } = raw;
  if (uploadId !== undefined && (typeof uploadId !== 'string' || uploadId === '')) throw invalid(upload, 'its multipart upload id is malformed');
  if (!Array.isArray(parts) || !parts.every((part, i) => isPart(part, i + 1))) throw invalid(upload, 'its part list is malformed');
  if (parts.length > 0 && uploadId === undefined) throw invalid(upload, 'it has parts but no multipart upload');
  if (tail !== undefined && !isTail(tail, uploadPrefix(upload.id))) throw invalid(upload, 'its tail is malformed');
  const state: UploadState = { ...(uploadId ? { uploadId } : {}), parts, ...(tail ? { tail } : {}) };
  if (stateSize(state) !== upload.size) throw invalid(upload, `its parts hold ${stateSize(state)} bytes, not ${upload.size}`);
  return state;
}

/** The bytes the state accounts for: its parts and its tail. */
export function stateSize(state: UploadState): number {
  return state.parts.reduce((sum, part) => sum + part.size, 0) + (state.tail?.size ?? 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPart(value: unknown, n: number): value is PartRecord {
  return isRecord(value) && value['n'] === n && typeof value['etag'] === 'string' && isSize(value['size']) && value['size'] > 0;
}

function isTail(value: unknown, prefix: string): value is TailRecord {
  return isRecord(value) && typeof value['key'] === 'string' && value['key'].startsWith(prefix) && isSize(value['size']) && value['size'] > 0;
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function invalid(upload: UploadRef, why: string): StorageError {
  return new StorageError('INVALID_UPLOAD', `upload ${upload.id} cannot be continued: ${why}`);
}
