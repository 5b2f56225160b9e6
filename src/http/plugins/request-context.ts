import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger, OpContext } from '../../core/context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logical route (`manifest`, `blob`, `upload`, …) for metrics and logs. */
    routeKind?: string;
  }
}

/** An OpContext whose signal fires when the client goes away before the response is complete. */
export function requestContext(request: FastifyRequest, reply: FastifyReply): OpContext {
  return new RequestContext(request.log, reply);
}

/**
 * A class, so that the getter lives once on the prototype: an object literal with a getter is built
 * slowly, property by property, for every request.
 */
class RequestContext implements OpContext {
  private controller: AbortController | undefined;

  constructor(
    readonly log: Logger,
    private readonly reply: FastifyReply,
  ) {}

  /**
   * Made on first use: most requests (a manifest or blob GET) never look at it, and an AbortController
   * per request is a measurable share of a small GET.
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      const made = (this.controller = new AbortController());
      const raw = this.reply.raw;
      if (raw.destroyed && !raw.writableFinished) made.abort(new Error('client closed the connection'));
      raw.once('close', () => {
        if (!raw.writableFinished) made.abort(new Error('client closed the connection'));
      });
    }
    return this.controller.signal;
  }
}
