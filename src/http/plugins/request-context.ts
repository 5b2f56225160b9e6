import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OpContext } from '../../core/context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logical route (`manifest`, `blob`, `upload`, …) for metrics and logs. */
    routeKind?: string;
  }
}

/** An OpContext whose signal fires when the client goes away before the response is complete. */
export function requestContext(request: FastifyRequest, reply: FastifyReply): OpContext {
  let controller: AbortController | undefined;
  return {
    log: request.log,
    // Made on first use: most requests (a manifest or blob GET) never look at it, and an
    // AbortController per request is a measurable share of a small GET.
    get signal(): AbortSignal {
      if (!controller) {
        const made = (controller = new AbortController());
        if (reply.raw.destroyed && !reply.raw.writableFinished) made.abort(new Error('client closed the connection'));
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) made.abort(new Error('client closed the connection'));
        });
      }
      return controller.signal;
    },
  };
}
