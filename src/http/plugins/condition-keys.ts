import type { FastifyRequest } from 'fastify';
import type { ConditionContext } from '../../auth/policy/conditions.js';

/**
 * The request's policy condition keys (aws:SourceIp, aws:SecureTransport, aws:CurrentTime,
 * aws:EpochTime, and ecr:ImageTag for a manifest pushed by tag), built on first use.
 */
export function conditionKeys(request: FastifyRequest, imageTag?: string): () => ConditionContext {
  let built: ConditionContext | undefined;
  return () => (built ??= buildKeys(request, imageTag));
}

function buildKeys(request: FastifyRequest, imageTag: string | undefined): ConditionContext {
  const now = new Date();
  const keys = new Map<string, string[]>([
    ['aws:sourceip', [request.ip]],
    ['aws:securetransport', [String(request.protocol === 'https')]],
    ['aws:currenttime', [now.toISOString()]],
    ['aws:epochtime', [String(Math.floor(now.getTime() / 1000))]],
  ]);
  if (imageTag !== undefined) keys.set('ecr:imagetag', [imageTag]);
  return keys;
}
