/** Bytes received but not sent yet, as the chunks they came in; cut into parts without extra copies. */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private bytes = 0;

  get size(): number {
    return this.bytes;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
  }

  /** Removes and returns the first `count` bytes (count ≤ size) as one buffer. */
  take(count: number): Buffer {
    const out = Buffer.allocUnsafe(count);
    this.takeInto(out, count);
    return out;
  }

  /** Removes the first `count` bytes (count ≤ size) and copies them to the start of `target`. */
  takeInto(target: Uint8Array, count: number): void {
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.byteLength, count - filled);
      target.set(used === chunk.byteLength ? chunk : chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.byteLength) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    this.bytes -= count;
  }

  takeAll(): Buffer {
    return this.take(this.bytes);
  }
}
