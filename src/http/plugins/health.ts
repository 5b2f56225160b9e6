import type { FastifyInstance } from 'fastify';

export interface HealthCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects when it does not. */
  check(): Promise<void>;
}

/** GET /healthz: 200 when every dependency answers, 503 naming the ones that don't. */
export async function healthPlugin(app: FastifyInstance, options: { checks: HealthCheck[] }): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    const results = await Promise.all(
      options.checks.map(async (c) => {
        try {
          await c.check();
          return [c.name, 'ok'] as const;
        } catch (err) {
          return [c.name, `failing: ${(err as Error).message}`] as const;
        }
      }),
    );
    const healthy = results.every(([, state]) => state === 'ok');
    reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  });
}
