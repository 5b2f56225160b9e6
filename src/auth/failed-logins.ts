interface SourceState {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

/**
 * Failed authentications by source address. After `limit` failures within `windowMs`, the source is
 * refused for `blockMs` (429 with Retry-After); other sources are not affected. Per node, in memory:
 * a source that hops between nodes gets `limit` tries on each. Bounded: the oldest sources are dropped.
 */
export class FailedLogins {
  private readonly sources = new Map<string, SourceState>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    private readonly blockMs = 60_000,
    private readonly maxSources = 100_000,
  ) {}

  /** Seconds until the source may authenticate again, or 0 when it may now. */
  retryAfterSeconds(source: string, now: number): number {
    const state = this.sources.get(source);
    return state && state.blockedUntil > now ? Math.ceil((state.blockedUntil - now) / 1000) : 0;
  }

  /** Counts one failure of the source. */
  record(source: string, now: number): void {
    let state = this.sources.get(source);
    if (!state || now - state.windowStart > this.windowMs) {
      this.sources.delete(source);
      state = { failures: 0, windowStart: now, blockedUntil: 0 };
      this.sources.set(source, state);
      if (this.sources.size > this.maxSources) this.sources.delete(this.sources.keys().next().value!);
    }
    state.failures++;
    if (state.failures >= this.limit) state.blockedUntil = now + this.blockMs;
  }
}
