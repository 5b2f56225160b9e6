import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideOnIdentity, identifyCaller, parseAuthorization, throttledAuthentication, type AccessControl } from '../../auth/registry-access.js';
import type { GarbageReportView } from '../../contracts/gc-report.js';
import { RegistryError } from '../../core/errors.js';
import { garbageQueue } from '../../metadata/garbage.repository.js';
import { storageUse } from '../../metadata/storage-use.repository.js';
import type { GarbageCollector } from '../../registry/garbage-collector.js';
import type { Registry } from '../../registry/registry.js';
import { conditionKeys } from '../plugins/condition-keys.js';

const API_STATUS: Partial<Record<string, number>> = { UNAUTHORIZED: 401, CREDENTIALS_INVALID: 401, DENIED: 403, THROTTLED: 429, UNAVAILABLE: 503 };

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

  async function authorize(request: FastifyRequest, action: string): Promise<void> {
    const caller = await throttledAuthentication(access, request.ip, () => identifyCaller(access, parseAuthorization(request.headers.authorization)));
    if (caller.principal.kind === 'anonymous') throw new RegistryError('UNAUTHORIZED', 'authentication required: Basic AWS:<authorization token>');
    if ((await decideOnIdentity(access, caller.principal, action, resource, conditionKeys(request))) !== 'allow') {
      throw new RegistryError('DENIED', `not authorized to perform ${action} on ${resource}`);
    }
  }

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

  app.setErrorHandler((err: unknown, _request: FastifyRequest, reply: FastifyReply) => {
    const error = err instanceof RegistryError ? err : undefined;
    const status = error ? (API_STATUS[error.code] ?? 400) : 500;
    if (status === 401) reply.header('www-authenticate', 'Basic realm="Berth"');
    reply.code(status).send({ code: error?.code ?? 'INTERNAL', message: error?.message ?? 'internal error; the server log has the details' });
  });
}
