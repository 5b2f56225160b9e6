import { createHash, type Hash } from 'node:crypto';

/** The SHA-256 of an upload's bytes so far, fed in order as they arrive. */
export interface RunningHash {
  /** Adds bytes; when it returns a promise, wait for it before adding more (the hash is behind). */
  update(part: Uint8Array): Promise<void> | undefined;
  /** The hex digest of every byte added. The hash is finished after; a rejection means it is lost. */
  digest(): Promise<string>;
  /** Drops the hash unfinished. */
  dispose(): void;
}

/** A hash on the calling thread: for small uploads, where handing bytes to another thread costs more than hashing them. */
export class InlineHash implements RunningHash {
  private readonly hash: Hash = createHash('sha256');

  update(part: Uint8Array): undefined {
    this.hash.update(part);
    return undefined;
  }

  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  dispose(): void {}
}
