import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessControl } from '../../auth/registry-access.js';
import type { GarbageReportView } from '../../contracts/gc-report.js';
import { garbageQueue } from '../../metadata/garbage.repository.js';
import { storageUse } from '../../metadata/storage-use.repository.js';
import type { GarbageCollector } from '../../registry/garbage-collector.js';
import type { Registry } from '../../registry/registry.js';
import { apiErrorHandler, authorizeApi } from './api-auth.js';

export interface GcRoutesOptions {
  readonly registry: Registry;
  readonly access: AccessControl;
  readonly collector: GarbageCollector;
  readonly accountId: string;
}

/**
 * The garbage-collection API (Berth's own, ECR has none), with the credentials /v2 takes:
 * GET /api/gc — the queue, the last run on this node, the storage use (IAM action berth:DescribeGarbageCollection);
 * POST /api/gc[?dryRun=true] — one run now, answered with its report (berth:CollectGarbage; 409 while another runs).
 */
export async function gcRoutes(app: FastifyInstance, options: GcRoutesOptions): Promise<void> {
  const { registry, access, collector } = options;
  const resource = `arn:aws:ecr:${access.region}:${options.accountId}:registry`;

  const authorize = (request: FastifyRequest, action: string) => authorizeApi(access, request, action, resource);

  app.get('/api/gc', async (request, reply) => {
    await authorize(request, 'berth:DescribeGarbageCollection');
    const now = registry.clock.now().getTime();
    const [queue, storage] = await Promise.all([garbageQueue(registry.metadata.db, now), storageUse(registry.metadata.db)]);
    reply.send({ queue, lastRun: collector.lastReport ?? null, totals: collector.totals, storage });
  });

  app.post('/api/gc', async (request, reply) => {
    await authorize(request, 'berth:CollectGarbage');
    const dryRun = (request.query as { dryRun?: string }).dryRun === 'true';
    const report = await collector.run({ dryRun, scrub: true });
    if (!report) return reply.code(409).send({ code: 'BUSY', message: 'another garbage collection is running right now; try again later' });
    const view: GarbageReportView = { ...report, storage: await storageUse(registry.metadata.db) };
    reply.send(view);
  });

  app.setErrorHandler(apiErrorHandler);
}
