import type { Logger } from '../core/context.js';

/**
 * Runs `task` every `intervalMs` (0: never), never two at once on this node; a failure is logged and
 * the next tick tries again. stop() waits for a run in progress. Whether other nodes may run it at the
 * same time is the task's business (Metadata.runExclusive).
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule, then runs the task once more when `finally` is set (e.g. to flush). */
  async stop(options: { finally?: boolean } = {}): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    if (options.finally) await this.tick();
  }

  private tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.task()
      .then(() => undefined)
      .catch((err: unknown) => this.log.warn({ err, task: this.name }, `${this.name} failed; it runs again at the next interval`))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
