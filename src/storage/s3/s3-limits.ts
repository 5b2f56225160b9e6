/** S3's multipart limits (the S3 API reference, "Amazon S3 multipart upload limits"). */
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
/** Every part but the last must be at least this big. */
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * GIB;
export const MAX_PARTS = 10_000;
/** CopyObject copies at most this much in one request; beyond it a multipart copy is needed. */
export const MAX_SINGLE_COPY = 5 * GIB;

export const DEFAULT_PART_SIZE = 8 * MIB;
/** Parts of a multipart copy (server-side, so no memory is at stake). */
export const DEFAULT_COPY_PART_SIZE = 512 * MIB;
/** UploadPart requests in flight per append: enough to keep a fast link busy, few parts in memory. */
export const PART_CONCURRENCY = 3;
export const COPY_CONCURRENCY = 4;

const PARTS_PER_STEP = 2_500;
const MAX_DOUBLINGS = 3;

/**
 * The size of part number `n`. The part size doubles every 2,500 parts (up to 8×), so the 10,000
 * parts S3 allows hold 300 GiB at the default 8 MiB instead of 80 GiB, while a blob of ordinary size
 * keeps small parts and little memory.
 */
export function partSizeFor(base: number, n: number): number {
  const doublings = Math.min(MAX_DOUBLINGS, Math.floor((n - 1) / PARTS_PER_STEP));
  return Math.min(MAX_PART_SIZE, base * 2 ** doublings);
}
