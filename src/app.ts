import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from './core/context.js';
import { healthPlugin, type HealthCheck } from './http/plugins/health.js';
import { HttpMetrics, installMetrics } from './http/plugins/metrics.js';
import type { AccessControl } from './auth/registry-access.js';
import type { ControlPlane } from './controlplane/control-plane.js';
import { awsRoutes } from './http/ecr/ecr.routes.js';
import { ociRoutes } from './http/oci/oci.routes.js';
import { gcRoutes } from './http/api/gc.routes.js';
import { sbomRoutes } from './http/api/sbom.routes.js';
import { storageMetrics } from './http/plugins/storage-metrics.js';
import type { GarbageCollector } from './registry/garbage-collector.js';
import type { Registry } from './registry/registry.js';

export interface AppDeps {
  readonly registry: Registry;
  readonly controlPlane: ControlPlane;
  readonly access: AccessControl;
  readonly publicUrl: string | undefined;
  readonly healthChecks: HealthCheck[];
  /** A pino logger (or compatible); omitted: silent. */
  readonly logger?: Logger;
  readonly https?: { cert: Buffer; key: Buffer };
  /** CIDRs whose X-Forwarded-For / -Proto are believed (client address and scheme behind a load balancer). */
  readonly trustedProxies?: readonly string[];
  /** Garbage collection, for /api/gc and its /metrics; omitted: neither is served. */
  readonly collector?: GarbageCollector;
}

/** Builds the Fastify app with every route; never listens (main.ts and tests decide that). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const options: FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } } = {
    loggerInstance: deps.logger as FastifyServerOptions['loggerInstance'],
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: 75_000,
    trustProxy: deps.trustedProxies && deps.trustedProxies.length > 0 ? [...deps.trustedProxies] : false,
    ...(deps.https ? { https: deps.https } : {}),
  };
  const app = Fastify(options) as unknown as FastifyInstance;
  const metrics = new HttpMetrics(
    { berth_uploads_in_progress: { help: 'Upload requests streaming bytes right now.', read: () => deps.registry.uploadsInProgress.size } },
    deps.collector ? [storageMetrics(deps.registry, deps.collector)] : [],
  );
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      { method: request.method, url: redactQuery(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime), route: request.routeKind },
      'request',
    );
    done();
  });
  installMetrics(app, metrics);
  await app.register(healthPlugin, { checks: deps.healthChecks });
  await app.register(ociRoutes, { registry: deps.registry, access: deps.access, publicUrl: deps.publicUrl });
  await app.register(sbomRoutes, { registry: deps.registry, access: deps.access, accountId: deps.controlPlane.identity.accountId });
  if (deps.collector) await app.register(gcRoutes, { registry: deps.registry, access: deps.access, collector: deps.collector, accountId: deps.controlPlane.identity.accountId });
  await app.register(awsRoutes, { controlPlane: deps.controlPlane, access: deps.access, publicUrl: deps.publicUrl });
  return app;
}

/** Query values that carry credentials (presigned and SigV4 query forms) never reach the log. */
function redactQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  return url.slice(0, q + 1) + url.slice(q + 1).replace(/((?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|token|password)=)[^&]*/gi, '$1[redacted]');
}
