import type { ByteRange } from '../blob-driver.js';
import type { CompletedPart, S3Bucket } from './s3-bucket.js';
import { COPY_CONCURRENCY, MAX_PARTS } from './s3-limits.js';

export interface CopyLimits {
  /** Larger objects are copied in parts (CopyObject copies at most 5 GiB). */
  readonly copyPartThreshold: number;
  readonly copyPartSize: number;
}

const CLEANUP_TIMEOUT_MS = 10_000;

/** Server-side copy of `size` bytes from `from` to `to`: one CopyObject, or a multipart copy of ranges. */
export async function copyObject(bucket: S3Bucket, signal: AbortSignal, from: string, to: string, size: number, limits: CopyLimits): Promise<void> {
  if (size <= limits.copyPartThreshold) {
    await bucket.copy(signal, from, to);
    return;
  }
  const partSize = Math.max(limits.copyPartSize, Math.ceil(size / MAX_PARTS));
  const ranges: (ByteRange & { n: number })[] = [];
  for (let start = 0; start < size; start += partSize) ranges.push({ n: ranges.length + 1, start, end: Math.min(size, start + partSize) - 1 });
  const uploadId = await bucket.createMultipart(signal, to);
  try {
    const parts = await mapConcurrently(ranges, COPY_CONCURRENCY, async (range): Promise<CompletedPart> => ({
      n: range.n,
      etag: await bucket.uploadPartCopy(signal, to, uploadId, range.n, from, range),
    }));
    await bucket.completeMultipart(signal, to, uploadId, parts);
  } catch (err) {
    await bucket.abortMultipart(AbortSignal.timeout(CLEANUP_TIMEOUT_MS), to, uploadId).catch(() => {});
    throw err;
  }
}

/** `work` over every item, at most `limit` at a time, results in input order; stops taking items after a failure. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
