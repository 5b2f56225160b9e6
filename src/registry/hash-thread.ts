import { Worker } from 'node:worker_threads';
import { ByteQueue } from '../core/byte-queue.js';
import type { RunningHash } from './running-hash.js';

/** Bytes go to the thread in buffers of this size, at most SLOTS of them for the whole process. */
const SLOT_BYTES = 1024 * 1024;
const SLOTS = 4;
/** With no hash on it for this long, the thread is stopped (its isolate is ~12 MiB); the next hash starts another. */
const IDLE_MS = 30_000;

// The thread's program: one SHA-256 state per hash id, fed in the order the messages come; each
// buffer goes back once hashed. Plain CommonJS source, so the thread needs no loader (run from
// source, the parent's TypeScript loader would not reach it).
const THREAD = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.drop) return void hashes.delete(m.id);
  let hash = hashes.get(m.id);
  if (!hash) hashes.set(m.id, (hash = createHash('sha256')));
  if (m.digest) {
    hashes.delete(m.id);
    return void parentPort.postMessage({ id: m.id, hex: hash.digest('hex') });
  }
  hash.update(new Uint8Array(m.slot, 0, m.length));
  parentPort.postMessage({ slot: m.slot }, [m.slot]);
});
`;

type ToThread = { id: number; slot: ArrayBuffer; length: number } | { id: number; digest: true } | { id: number; drop: true };
type FromThread = { slot: ArrayBuffer } | { id: number; hex: string };

/**
 * SHA-256 on a thread of its own, for large uploads. Hashing on the event loop capped a push at the
 * hash's speed (~600 MiB/s here, with the socket and the disk writes on the same thread); on the
 * thread it runs beside them. Bytes are copied into a few buffers that travel to the thread and back
 * (moved, not copied: 4 MiB for the whole process, so memory stays flat however many uploads run);
 * a hash that finds none free waits, and so does its upload. Not a SharedArrayBuffer: V8 copies
 * into one several times slower than into a plain buffer. If the thread dies, its hashes reject and
 * new ones are refused: callers hash inline then. A thread with no hash on it for IDLE_MS is stopped
 * on purpose (`idleMs`), and the next hash starts a new one.
 */
export class HashThread {
  private worker: Worker | undefined;
  private broken = false;
  /** Hashes started and neither finished nor dropped. */
  private live = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs = IDLE_MS) {}
  private readonly freeSlots: ArrayBuffer[] = Array.from({ length: SLOTS }, () => new ArrayBuffer(SLOT_BYTES));
  private readonly slotWaiters: ((slot: ArrayBuffer) => void)[] = [];
  private readonly digests = new Map<number, { resolve: (hex: string) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  /** Buffers and digests the thread owes: while any, the thread keeps the process up. */
  private owed = 0;
  /** Once the thread is gone, the buffer hashes still running fill (their bytes go nowhere, and they reject). */
  private scratch: ArrayBuffer | undefined;

  /** A new hash on the thread, or undefined when the thread is not available. */
  start(): RunningHash | undefined {
    if (this.broken) return undefined;
    try {
      this.worker ??= this.spawn();
    } catch {
      this.broken = true;
      return undefined;
    }
    this.live++;
    clearTimeout(this.idleTimer);
    return new ThreadHash(this, this.nextId++);
  }

  /** A hash of start() is finished or dropped. */
  ended(): void {
    if (--this.live > 0) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopIdle(), this.idleMs).unref();
  }

  /** Whether a thread is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Stops the thread: hashes still on it reject, and new ones are refused. */
  async close(): Promise<void> {
    this.broken = true;
    clearTimeout(this.idleTimer);
    await this.worker?.terminate();
  }

  /** Stops an idle thread on purpose; it owes nothing then (every buffer and digest came back). */
  private stopIdle(): void {
    if (this.live > 0 || this.owed > 0 || !this.worker) return;
    const idle = this.worker;
    this.worker = undefined;
    void idle.terminate();
  }

  /** A free buffer, once there is one: fill it and hand it over with send(). */
  async slot(): Promise<ArrayBuffer> {
    if (this.broken) return (this.scratch ??= new ArrayBuffer(SLOT_BYTES));
    return this.freeSlots.pop() ?? new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  send(message: ToThread): void {
    if (this.broken) {
      if ('digest' in message) this.settle(message.id, new Error('the hash thread stopped'));
      return;
    }
    if ('drop' in message) return void this.worker!.postMessage(message);
    this.owe(1);
    this.worker!.postMessage(message, 'slot' in message ? [message.slot] : []);
  }

  digestOf(id: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.digests.set(id, { resolve, reject });
      this.send({ id, digest: true });
    });
  }

  private spawn(): Worker {
    // It keeps a few hash states and small messages: a small heap keeps its memory (~12 MiB) small too.
    const worker = new Worker(THREAD, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 } });
    worker.unref();
    worker.on('message', (m: FromThread) => {
      this.owe(-1);
      if ('hex' in m) this.settle(m.id, m.hex);
      else this.release(m.slot);
    });
    const fail = (): void => {
      if (worker !== this.worker) return; // stopped on purpose, when idle
      this.broken = true;
      this.owe(-this.owed);
      for (const id of [...this.digests.keys()]) this.settle(id, new Error('the hash thread stopped'));
      for (const waiter of this.slotWaiters.splice(0)) waiter((this.scratch ??= new ArrayBuffer(SLOT_BYTES)));
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    return worker;
  }

  private release(slot: ArrayBuffer): void {
    const waiter = this.slotWaiters.shift();
    if (waiter) waiter(slot);
    else this.freeSlots.push(slot);
  }

  private settle(id: number, result: string | Error): void {
    const pending = this.digests.get(id);
    this.digests.delete(id);
    if (typeof result === 'string') pending?.resolve(result);
    else pending?.reject(result);
  }

  private owe(change: number): void {
    const before = this.owed;
    this.owed += change;
    if (before === 0 && this.owed > 0) this.worker?.ref();
    else if (before > 0 && this.owed === 0) this.worker?.unref();
  }
}

/** One hash on the thread: parts are gathered until they fill a buffer, then copied in and sent. */
class ThreadHash implements RunningHash {
  private readonly gathered = new ByteQueue();
  /** The sends so far, in order: each waits for a buffer. */
  private sending: Promise<void> = Promise.resolve();
  private done = false;

  constructor(
    private readonly thread: HashThread,
    private readonly id: number,
  ) {}

  update(part: Uint8Array): Promise<void> | undefined {
    if (this.done) throw new Error('the hash is finished');
    this.gathered.push(part);
    if (this.gathered.size < SLOT_BYTES) return undefined;
    return (this.sending = this.sending.then(() => this.sendFull()));
  }

  async digest(): Promise<string> {
    this.done = true;
    try {
      await (this.sending = this.sending.then(() => this.sendFull()).then(() => (this.gathered.size > 0 ? this.sendSlot(this.gathered.size) : undefined)));
      return await this.thread.digestOf(this.id);
    } finally {
      this.thread.ended();
    }
  }

  dispose(): void {
    if (this.done) return;
    this.done = true;
    void this.sending.then(() => this.thread.send({ id: this.id, drop: true })).finally(() => this.thread.ended());
  }

  private async sendFull(): Promise<void> {
    while (this.gathered.size >= SLOT_BYTES) await this.sendSlot(SLOT_BYTES);
  }

  /** Copies the first `length` gathered bytes into a buffer and sends it. */
  private async sendSlot(length: number): Promise<void> {
    const slot = await this.thread.slot();
    this.gathered.takeInto(new Uint8Array(slot), length);
    this.thread.send({ id: this.id, slot, length });
  }
}
