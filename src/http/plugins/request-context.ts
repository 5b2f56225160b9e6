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
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return { signal: controller.signal, log: request.log };
}
