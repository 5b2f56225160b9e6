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
 * In-process publish/subscribe. A listener's failure never fails the publisher: it is reported to
 * `onError` (the work that needs to survive a crash, like a scan, is itself a leased job).
 */
export class EventBus {
  private readonly listeners: Listener[] = [];

  constructor(private readonly onError: (err: unknown, event: DomainEvent) => void = () => {}) {}

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
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
