import type { PartRecord } from './multipart-state.js';
import type { S3Bucket } from './s3-bucket.js';

/**
 * Uploads the parts of one append, a few at a time, creating the multipart upload on the first part
 * when the upload has none yet. A part's bytes are released as soon as S3 has them, so memory stays
 * at `concurrency` parts plus the one being filled.
 */
export class PartUploader {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly uploaded: PartRecord[] = [];
  private failure: { error: unknown } | undefined;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  private id: string | undefined;
  private created = false;

  constructor(
    private readonly bucket: S3Bucket,
    private readonly key: string,
    uploadId: string | undefined,
    signal: AbortSignal,
    private readonly concurrency: number,
  ) {
    this.id = uploadId;
    this.signal = AbortSignal.any([signal, this.stopper.signal]);
  }

  /** The multipart upload the parts belong to (undefined while no part was needed). */
  get uploadId(): string | undefined {
    return this.id;
  }

  /** True when this append created the multipart upload (so a failed append should abort it). */
  get createdUpload(): boolean {
    return this.created;
  }

  /** Starts uploading part `n`; waits while `concurrency` parts are in flight. Rejects once any part failed. */
  async add(n: number, body: Buffer): Promise<void> {
    this.throwIfFailed();
    if (this.id === undefined) {
      this.id = await this.bucket.createMultipart(this.signal, this.key);
      this.created = true;
    }
    while (this.inFlight.size >= this.concurrency) {
      await Promise.race(this.inFlight);
      this.throwIfFailed();
    }
    const task = this.bucket.uploadPart(this.signal, this.key, this.id, n, body).then(
      (etag) => void this.uploaded.push({ n, etag, size: body.byteLength }),
      (error: unknown) => {
        this.failure ??= { error };
        this.stopper.abort(); // the other parts are wasted work now
      },
    );
    this.inFlight.add(task);
    void task.then(() => this.inFlight.delete(task));
  }

  /** Waits for every part; resolves with them in order, or rejects with the first failure. */
  async finish(): Promise<PartRecord[]> {
    await Promise.all(this.inFlight);
    this.throwIfFailed();
    return [...this.uploaded].sort((a, b) => a.n - b.n);
  }

  /** Cancels the parts in flight and waits until none is left running. */
  async cancel(): Promise<void> {
    this.stopper.abort();
    await Promise.all(this.inFlight);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
