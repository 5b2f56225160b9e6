import { RegistryError } from '../../core/errors.js';
import type { ByteRange } from '../../storage/blob-driver.js';

/**
 * The byte range a blob GET asks for (RFC 9110 §14.2), or undefined for the whole blob. A range
 * header in another unit, or a list of ranges, is ignored as the RFC allows; a bytes range that is
 * malformed or starts past the end is RANGE_NOT_SATISFIABLE (416).
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (!value.startsWith('bytes=') || value.includes(',')) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value);
  const unsatisfiable = (): never => {
    throw new RegistryError('RANGE_NOT_SATISFIABLE', `range "${value.slice(0, 80)}" is not satisfiable for a blob of ${size} bytes`, { size });
  };
  if (!match || (match[1] === '' && match[2] === '')) return unsatisfiable();
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return unsatisfiable();
  return { start, end };
}

/**
 * An upload chunk's Content-Range ("<start>-<end>", inclusive; "bytes " prefix and "/total" tolerated).
 * Returns undefined when absent; BLOB_UPLOAD_INVALID when malformed.
 */
export function parseContentRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) throw new RegistryError('BLOB_UPLOAD_INVALID', `Content-Range "${header.slice(0, 80)}" is not of the form <start>-<end>`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) throw new RegistryError('UPLOAD_OFFSET_INVALID', `Content-Range ${start}-${end} ends before it starts`);
  return { start, end };
}
