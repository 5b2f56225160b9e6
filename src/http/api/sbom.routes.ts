import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessControl } from '../../auth/registry-access.js';
import { RegistryError } from '../../core/errors.js';
import type { Registry } from '../../registry/registry.js';
import { CYCLONEDX_MEDIA_TYPE } from '../../scanning/sbom.js';
import { attachSbom, imageSbom } from '../../scanning/sbom.service.js';
import { requestContext } from '../plugins/request-context.js';
import { apiErrorHandler, authorizeApi } from './api-auth.js';

export interface SbomRoutesOptions {
  readonly registry: Registry;
  readonly access: AccessControl;
  readonly accountId: string;
}

/**
 * SBOMs of scanned images (Berth's own API), with the credentials /v2 takes:
 * GET /api/sbom?repository=R&reference=TAG|DIGEST — CycloneDX 1.6 JSON (ecr:DescribeImageScanFindings);
 * POST the same — attaches it to the image as an OCI referrer and answers the digests (ecr:PutImage).
 */
export async function sbomRoutes(app: FastifyInstance, options: SbomRoutesOptions): Promise<void> {
  const { registry, access } = options;
  const target = (request: FastifyRequest) => {
    const { repository, reference } = request.query as { repository?: string; reference?: string };
    if (!repository || !reference) throw new RegistryError('INVALID_PARAMETER', 'repository and reference (a tag or a digest) are required query parameters');
    return { repository, reference, arn: `arn:aws:ecr:${access.region}:${options.accountId}:repository/${repository}` };
  };

  app.get('/api/sbom', async (request, reply) => {
    const { repository, reference, arn } = target(request);
    await authorizeApi(access, request, 'ecr:DescribeImageScanFindings', arn);
    const { sbom } = await imageSbom(registry, repository, reference);
    reply.header('content-type', CYCLONEDX_MEDIA_TYPE).send(Buffer.from(JSON.stringify(sbom)));
  });

  app.post('/api/sbom', async (request, reply) => {
    const { repository, reference, arn } = target(request);
    await authorizeApi(access, request, 'ecr:PutImage', arn);
    reply.send(await attachSbom(registry, requestContext(request, reply), repository, reference));
  });

  app.setErrorHandler(apiErrorHandler);
}
