import { createHash, type Hash } from 'node:crypto';

interface HashState {
  hash: Hash;
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

  constructor(private readonly maxEntries: number) {}

  /** A hash positioned at `offset` for the upload, or undefined when this process can't continue one. */
  take(id: string, offset: number): Hash | undefined {
    const state = this.states.get(id);
    this.states.delete(id);
    if (offset === 0) return createHash('sha256');
    return state && state.offset === offset ? state.hash : undefined;
  }

  keep(id: string, hash: Hash, offset: number): void {
    this.states.set(id, { hash, offset });
    if (this.states.size > this.maxEntries) {
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) this.states.delete(oldest);
    }
  }

  forget(id: string): void {
    this.states.delete(id);
  }
}
