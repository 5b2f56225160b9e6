import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateSigV4 } from '../../auth/authenticate.js';
import type { Principal } from '../../auth/principal.js';
import { decide, throttledAuthentication, type AccessControl } from '../../auth/registry-access.js';
import { ECR_INPUTS } from '../../contracts/ecr-inputs.js';
import { repositoryArn, type Call, type ControlPlane } from '../../controlplane/control-plane.js';
import { repositoryOfArn } from '../../controlplane/resource-tags.js';
import { RegistryError } from '../../core/errors.js';
import { validateInput } from '../aws/validate-input.js';
import { handleQuery } from '../aws/query-protocol.js';
import { signedRequestOf } from '../aws/signed-request.js';
import { conditionKeys } from '../plugins/condition-keys.js';
import { requestContext } from '../plugins/request-context.js';
import { ECR_ERRORS } from './ecr-errors.js';
import { ECR_OPERATIONS, ECR_TARGET_PREFIX, isEcrOperation } from './ecr-operations.js';

export interface AwsRoutesOptions {
  readonly controlPlane: ControlPlane;
  readonly access: AccessControl;
  /** BERTH_PUBLIC_URL when configured. */
  readonly publicUrl: string | undefined;
}

/** UploadLayerPart carries up to 20 MiB, base64-encoded in JSON. */
const BODY_LIMIT = 32 * 1024 * 1024;
const JSON_TYPE = 'application/x-amz-json-1.1';

/**
 * `POST /`: the AWS APIs on the registry's port. An X-Amz-Target header selects the ECR API (AWS JSON
 * 1.1); a form-encoded Action is the Query protocol of IAM and STS.
 */
export async function awsRoutes(app: FastifyInstance, options: AwsRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => sendEcrError(err, request, reply));

  app.post('/', async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string') return handleQuery(options.controlPlane, options.access, request, reply, body);
    request.routeKind = 'ecr';
    if (!target.startsWith(ECR_TARGET_PREFIX)) throw new RegistryError('OPERATION_UNKNOWN', `Unknown target ${target.slice(0, 100)}`);
    const cp = options.controlPlane;
    const { principal } = await throttledAuthentication(options.access, request.ip, () => authenticateSigV4(cp.identity, cp.region, signedRequestOf(request, body), ['ecr'], cp.clock.now()));
    const operation = target.slice(ECR_TARGET_PREFIX.length);
    if (!isEcrOperation(operation)) throw new RegistryError('OPERATION_UNKNOWN', `Unknown operation ${operation.slice(0, 100)}`);
    request.routeKind = `ecr:${operation}`;
    const input = validateInput(ECR_INPUTS[operation], parseJsonBody(body));
    const context = conditionKeys(request);
    const allowed = async (action: string, repository: string | undefined) => (await decide(options.access, principal, action, repository, context)) === 'allow';
    // DescribeRepositories checks each named repository; without names it lists only what the caller may describe.
    const named = operation === 'DescribeRepositories' ? (input as { repositoryNames?: readonly string[] }).repositoryNames : undefined;
    const resources = named ?? [resourceOf(cp, input as Record<string, unknown>)];
    const filtersItself = operation === 'DescribeRepositories' && named === undefined;
    for (const resource of filtersItself ? [] : resources) {
      if (await allowed(`ecr:${operation}`, resource)) continue;
      const arn = resource === undefined ? '*' : repositoryArn(cp, resource);
      throw new RegistryError('DENIED', `User: ${principalArn(principal)} is not authorized to perform: ecr:${operation} on resource: ${arn}`);
    }
    const call: Call = { ctx: requestContext(request, reply), principal, endpoint: options.publicUrl ?? `${request.protocol}://${request.host}`, allowed };
    const run = ECR_OPERATIONS[operation] as (cp: ControlPlane, call: Call, input: unknown) => Promise<unknown>;
    const output = await run(cp, call, input);
    reply.code(200).header('content-type', JSON_TYPE).header('x-amzn-requestid', randomUUID()).send(JSON.stringify(output));
  });
}

function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryError('REQUEST_MALFORMED', 'The request body is not valid JSON');
  }
}

function sendEcrError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = toRegistryError(err);
  const mapped = ECR_ERRORS[error.code];
  if (mapped.status >= 500) request.log.error({ err }, 'ECR request failed');
  else request.log.debug({ code: error.code, message: error.message }, 'ECR request refused');
  // Extra members some exceptions carry (InvalidLayerPartException's lastValidByteReceived, …).
  const extra = error.code === 'LAYER_PART_INVALID' && typeof error.detail === 'object' ? error.detail : {};
  const retryAfter = (error.detail as { retryAfter?: number } | undefined)?.retryAfter;
  if (error.code === 'THROTTLED' && retryAfter !== undefined) reply.header('retry-after', retryAfter);
  reply
    .code(mapped.status)
    .header('content-type', JSON_TYPE)
    .header('x-amzn-requestid', randomUUID())
    .header('x-amzn-errortype', mapped.name)
    .send(JSON.stringify({ __type: mapped.name, message: error.message, ...extra }));
}

function toRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 413) return new RegistryError('REQUEST_MALFORMED', `The request body is larger than ${BODY_LIMIT} bytes`);
  if (status !== undefined && status >= 400 && status < 500) return new RegistryError('REQUEST_MALFORMED', (err as Error).message);
  return new RegistryError('INTERNAL', 'We encountered an internal error. Please try again.');
}

/** The repository an operation acts on (repositoryName, or the repository of resourceArn); undefined: the registry. */
function resourceOf(cp: ControlPlane, input: Record<string, unknown>): string | undefined {
  if (typeof input.repositoryName === 'string') return input.repositoryName;
  if (typeof input.resourceArn === 'string') return repositoryOfArn(cp, input.resourceArn);
  return undefined;
}

function principalArn(principal: Principal): string {
  return principal.kind === 'anonymous' ? 'anonymous' : principal.arn;
}
