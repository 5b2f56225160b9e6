import type { HashThread } from './hash-thread.js';
import { InlineHash, type RunningHash } from './running-hash.js';

/** Uploads whose first chunk declares fewer bytes than this are hashed on the event loop (see HashThread). */
const THREAD_FROM_BYTES = 1024 * 1024;

interface HashState {
  hash: RunningHash;
  /** How many bytes the hash has consumed: valid only while it equals the upload's size. */
  offset: number;
}

/**
 * SHA-256 states of uploads in progress, so completing an upload needs no second read of its bytes.
 * A state exists only when this process saw every byte in order; otherwise completion re-reads.
 * Bounded: the oldest states are dropped first (their uploads fall back to re-reading).
 */
export class UploadHashes {
  private readonly states = new Map<string, HashState>();

  constructor(
    private readonly maxEntries: number,
    private readonly thread: HashThread,
  ) {}

  /**
   * A hash positioned at `offset` for the upload, or undefined when this process can't continue one.
   * A new hash (offset 0) goes to the hash thread unless the first chunk declares it is small.
   */
  take(id: string, offset: number, chunkLength?: number): RunningHash | undefined {
    const state = this.states.get(id);
    this.states.delete(id);
    if (state && state.offset === offset) return state.hash;
    state?.hash.dispose();
    if (offset !== 0) return undefined;
    return (chunkLength === undefined || chunkLength >= THREAD_FROM_BYTES ? this.thread.start() : undefined) ?? new InlineHash();
  }

  keep(id: string, hash: RunningHash, offset: number): void {
    this.states.set(id, { hash, offset });
    if (this.states.size > this.maxEntries) {
      const [oldest] = this.states.keys();
      if (oldest !== undefined) this.forget(oldest);
    }
  }

  forget(id: string): void {
    this.states.get(id)?.hash.dispose();
    this.states.delete(id);
  }
}
