import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Pipes `source` into a destination that copies each chunk only after `delayMs`, just before its
 * callback, and returns what arrived: a source that reused a buffer any sooner would show here.
 */
export async function pipeSlowly(source: Readable, delayMs = 1): Promise<Buffer> {
  const received: Buffer[] = [];
  const slow = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        received.push(Buffer.from(chunk));
        callback();
      }, delayMs);
    },
  });
  await pipeline(source, slow);
  return Buffer.concat(received);
}
