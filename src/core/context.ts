/** The logging surface the domain needs; pino satisfies it, tests can pass a silent one. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** What every I/O call receives: a cancellation signal (client gone, shutdown) and a logger. */
export interface OpContext {
  readonly signal: AbortSignal;
  readonly log: Logger;
}

const noop = (): void => {};
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

/** A context for work not tied to a request (start-up, background jobs, tests). */
export function backgroundContext(log: Logger = silentLogger, signal: AbortSignal = new AbortController().signal): OpContext {
  return { signal, log };
}
