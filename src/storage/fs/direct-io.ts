/**
 * How the fs driver's writer and read stream may bypass the page cache for one file. The driver
 * provides it, and stops doing so once the filesystem refuses O_DIRECT.
 */
export interface DirectIo {
  /** The same file opened again with O_DIRECT (to read or to write), or undefined when its filesystem refuses that. */
  open(): number | undefined;
  /** Aligned buffers for O_DIRECT, of a multiple of 4096 bytes. */
  readonly buffers: BufferPool;
  /** A direct read or write was refused (EINVAL: the filesystem wants other alignment): stop trying. */
  refuse(): void;
}

/** Buffers to borrow and give back. */
export interface BufferPool {
  /** A buffer, or undefined when none is free. */
  take(): Buffer | undefined;
  give(buffer: Buffer): void;
}

/**
 * A small fixed pool of page-aligned buffers, for O_DIRECT writes (which need the memory, the length
 * and the file offset aligned to the disk's block size). Node has no aligned allocation, but a
 * WebAssembly.Memory is mapped by pages, so slices of one at multiples of the page size are aligned.
 * The pool never grows (growing a Memory would detach the slices): when it is empty the caller
 * writes through the page cache instead, so memory stays bounded however many uploads run.
 */
export class AlignedBuffers implements BufferPool {
  private free: Buffer[] | undefined;

  constructor(
    private readonly count: number,
    readonly size: number,
  ) {
    if (size % 65536 !== 0) throw new Error('aligned buffers are whole WebAssembly pages (64 KiB)');
  }

  take(): Buffer | undefined {
    this.free ??= this.allocate();
    return this.free.pop();
  }

  give(buffer: Buffer): void {
    this.free!.push(buffer);
  }

  private allocate(): Buffer[] {
    const pages = this.size / 65536;
    const memory = new WebAssembly.Memory({ initial: pages * this.count, maximum: pages * this.count });
    return Array.from({ length: this.count }, (_, i) => Buffer.from(memory.buffer, i * this.size, this.size));
  }
}
