/** What happened in the registry, for whoever subscribed (scan on push now; webhooks and replication later). */
export type DomainEvent =
  | {
      readonly type: 'ImagePushed';
      readonly repository: string;
      readonly digest: string;
      readonly mediaType: string;
      /** The tag the push named, if any. */
      readonly tag?: string;
    }
  | {
      /** ECR's "ECR Image Scan" EventBridge event: `detail` has its shape. */
      readonly type: 'ImageScanCompleted';
      readonly repository: string;
      readonly digest: string;
      readonly detail: {
        readonly 'scan-status': string;
        readonly 'repository-name': string;
        readonly 'image-digest': string;
        readonly 'image-tags': readonly string[];
        readonly 'finding-severity-counts': Readonly<Record<string, number>>;
      };
    };

type Listener = (event: DomainEvent) => void | Promise<void>;

/**
 * The job kind of the outbox: an event written in the transaction of the change it reports, then
 * delivered to the subscribers by whichever node's worker leases it (at least once: a delivery that
 * fails is retried, so subscribers must tolerate seeing an event twice).
 */
export const EVENT_JOB = 'domain-event';

/**
 * In-process publish/subscribe. With `publish` a listener's failure never fails the publisher: it is
 * reported to `onError`. With `deliver` (the outbox's worker) it fails the delivery, which is retried.
 */
export class EventBus {
  private readonly listeners: Listener[] = [];

  constructor(private readonly onError: (err: unknown, event: DomainEvent) => void = () => {}) {}

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Every listener, in order; rejects with the first failure once all have run. */
  async deliver(event: DomainEvent): Promise<void> {
    let failure: unknown;
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  async publish(event: DomainEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        this.onError(err, event);
      }
    }
  }
}
