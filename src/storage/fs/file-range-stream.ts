import fs from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { closeQuietly } from './fd.js';

const CHUNK_BYTES = 1024 * 1024;
/** Chunks a pipe keeps in flight: one being read while the others are written. */
const PIPE_BUFFERS = 3;

/**
 * Bytes `start`..`end` (inclusive) of the open file `fd`, which the stream closes when it ends or is
 * destroyed.
 *
 * Read the usual way it gives a new buffer per chunk. Piped (Fastify sends a stream with pipe()), it
 * reads into a few buffers of its own and reuses each once the destination has written it, so a pull
 * allocates nothing per chunk. Why: V8 collects garbage when memory outside its heap grows, so a fresh
 * 1 MiB buffer per chunk kept the collector at a third of the CPU of a 1 GiB pull (measured here).
 */
export class FileRangeStream extends Readable {
  private filePosition: number;
  private fileClosed = false;
  private pumping = false;
  /** Reads in flight: the file is closed only after them, so none reads a descriptor reused meanwhile. */
  private reading = 0;
  /** The pump, waiting for a buffer to come back. */
  private waiting: (() => void) | undefined;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: CHUNK_BYTES });
    this.filePosition = start;
  }

  override _read(size: number): void {
    const length = Math.min(Math.max(size, CHUNK_BYTES), this.end - this.filePosition + 1);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafeSlow(length);
    this.readAt(buffer, length).then((n) => {
      if (this.destroyed) return;
      if (n === 0) return this.destroy(shortFile(this.filePosition));
      this.filePosition += n;
      this.push(n === length ? buffer : buffer.subarray(0, n));
    }, (err: Error) => this.destroy(err));
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this.closeFile();
    this.waiting?.();
    callback(err);
  }

  /** A plain pipe when the stream is already flowing or piped; else the pump of reused buffers. */
  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    if (this.pumping || this.readableFlowing !== null || this.readableLength > 0) return super.pipe(destination, options);
    this.pumping = true;
    void this.pump(destination as unknown as Writable, options?.end !== false);
    return destination;
  }

  private async pump(destination: Writable, endDestination: boolean): Promise<void> {
    const free: Buffer[] = Array.from({ length: PIPE_BUFFERS }, () => Buffer.allocUnsafeSlow(Math.min(CHUNK_BYTES, this.end - this.filePosition + 1)));
    const released = (buffer: Buffer) => (err?: Error | null) => {
      free.push(buffer);
      if (err) this.destroy(err);
      this.waiting?.();
    };
    const until = async (ready: () => boolean) => {
      while (!ready() && !this.destroyed) await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    };
    try {
      while (this.filePosition <= this.end) {
        await until(() => free.length > 0);
        if (this.destroyed) return;
        const buffer = free.pop()!;
        const length = Math.min(buffer.length, this.end - this.filePosition + 1);
        const n = await this.readAt(buffer, length);
        if (this.destroyed) return;
        if (n === 0) throw shortFile(this.filePosition);
        this.filePosition += n;
        destination.write(buffer.subarray(0, n), released(buffer));
      }
      // Every write done, the buffers go with the stream.
      await until(() => free.length === PIPE_BUFFERS);
      if (this.destroyed) return;
      this.closeFile();
      if (endDestination) destination.end();
      // End the readable side too, for whoever waits for it (Fastify does).
      this.push(null);
      this.resume();
    } catch (err) {
      this.destroy(err as Error);
    }
  }

  private readAt(buffer: Buffer, length: number): Promise<number> {
    this.reading++;
    return new Promise<number>((resolve, reject) =>
      fs.read(this.fd, buffer, 0, length, this.filePosition, (err, n) => {
        this.reading--;
        if (this.fileClosed && this.reading === 0) closeQuietly(this.fd);
        if (err) reject(err);
        else resolve(n);
      }),
    );
  }

  private closeFile(): void {
    if (this.fileClosed) return;
    this.fileClosed = true;
    if (this.reading === 0) closeQuietly(this.fd);
  }
}

function shortFile(position: number): Error {
  return new Error(`the file ends at byte ${position}, before the range does`);
}
