import { datasyncFd, writevFd } from './fd.js';

const BATCH_BYTES = 1024 * 1024;
const SYNC_EVERY_BYTES = 32 * 1024 * 1024;

/**
 * Writes `chunks` to the file `fd` from `position` and returns how many bytes it wrote. On return every
 * byte is written, not yet synced: the caller ends with an fdatasync of its own.
 *
 * Why the shape: small network chunks are gathered into ~1 MiB writev calls, and one write is in
 * flight while the next batch is gathered, so the socket and the disk work at the same time. An
 * fdatasync is started every 32 MiB in the background, so dirty pages are flushed while bytes still
 * arrive and the final sync has little left to do (a single sync at the end of a 1 GiB upload would
 * stall for seconds).
 */
export async function writeStreaming(
  fd: number,
  position: number,
  chunks: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
): Promise<number> {
  let written = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let pendingWrite: Promise<unknown> = Promise.resolve();
  let pendingSync: Promise<unknown> = Promise.resolve();
  let unsynced = 0;

  const flush = async (): Promise<void> => {
    await pendingWrite;
    const buffers = batch;
    const at = position + written;
    written += batchBytes;
    unsynced += batchBytes;
    batch = [];
    batchBytes = 0;
    pendingWrite = handled(writeAll(fd, buffers, at));
    if (unsynced >= SYNC_EVERY_BYTES) {
      unsynced = 0;
      const afterWrite = pendingWrite;
      await pendingSync;
      pendingSync = handled(afterWrite.then(() => datasyncFd(fd)));
    }
  };

  try {
    for await (const chunk of chunks) {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if (chunk.byteLength === 0) continue;
      batch.push(chunk);
      batchBytes += chunk.byteLength;
      if (batchBytes >= BATCH_BYTES) await flush();
    }
    if (batchBytes > 0) await flush();
    await pendingWrite;
    await pendingSync;
    return written;
  } finally {
    // Never leave a write racing the caller's close() on failure.
    await Promise.allSettled([pendingWrite, pendingSync]);
  }
}

/** Marks a promise as observed (it is awaited later), so an early rejection is not "unhandled". */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

async function writeAll(fd: number, buffers: Uint8Array[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await writevFd(fd, rest as NodeJS.ArrayBufferView[], at);
    at += bytesWritten;
    rest = dropWritten(rest, bytesWritten);
  }
}

function dropWritten(buffers: Uint8Array[], count: number): Uint8Array[] {
  let left = count;
  let i = 0;
  while (i < buffers.length && left >= buffers[i]!.byteLength) left -= buffers[i++]!.byteLength;
  const rest = buffers.slice(i);
  if (left > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(left);
  return rest;
}
