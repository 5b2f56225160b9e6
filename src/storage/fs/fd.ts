import fs from 'node:fs';
import { promisify } from 'node:util';

/**
 * The file calls the fs driver makes, on plain descriptors. Why not fs/promises: a FileHandle costs
 * about three times the CPU of a descriptor per open and close (measured here: 26 µs against 8 µs at
 * 16 concurrent opens), and a small blob push opens several files.
 */
export const openFd = promisify(fs.open);
export const writevFd = promisify(fs.writev);
export const writeFd = promisify(fs.write);
export const datasyncFd = promisify(fs.fdatasync);
export const syncFd = promisify(fs.fsync);
export const renameFd = promisify(fs.rename);
export const truncateFd = promisify(fs.ftruncate);

/**
 * Opening an existing file, reading its size and closing it take a few microseconds, while a round
 * trip through libuv's thread pool costs the event loop ~30 µs here (waking a pool thread is a
 * cross-CPU wakeup, dear in a VM), and a small blob push makes several. So these run inline. What
 * creates, renames, truncates or syncs stays in the pool: it may wait for the filesystem's journal
 * while other syncs commit (measured: creating files inline took a third of the event loop's time).
 */
export const openNow = (file: string, flags: 'r' | 'r+'): number => fs.openSync(file, flags);
export const closeNow = (fd: number): void => fs.closeSync(fd);
/** Opens an existing file with O_DIRECT, to read or to write; undefined where the platform has no O_DIRECT. */
export const openDirectNow =
  fs.constants.O_DIRECT === undefined
    ? undefined
    : (file: string, mode: 'r' | 'w'): number => fs.openSync(file, (mode === 'r' ? fs.constants.O_RDONLY : fs.constants.O_WRONLY) | fs.constants.O_DIRECT);
export const sizeNow = (fd: number): number => fs.fstatSync(fd).size;

/** Closes `fd` and ignores a failure (the work that used it has already failed or finished). */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // nothing to do: the descriptor is gone either way
  }
}

/** Marks a promise as observed (it is awaited later, or its failure is reported another way), so an early rejection is not "unhandled". */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
