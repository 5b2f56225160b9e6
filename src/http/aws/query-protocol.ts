import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateSigV4 } from '../../auth/authenticate.js';
import { decideOnIdentity, throttledAuthentication, type AccessControl } from '../../auth/registry-access.js';
import { IAM_INPUTS, STS_INPUTS } from '../../contracts/iam-inputs.js';
import type { Schema, StructureSchema } from '../../contracts/wire-schema.js';
import type { Call, ControlPlane } from '../../controlplane/control-plane.js';
import * as iam from '../../controlplane/iam.js';
import { RegistryError } from '../../core/errors.js';
import { conditionKeys } from '../plugins/condition-keys.js';
import { requestContext } from '../plugins/request-context.js';
import { QUERY_ERRORS } from './iam-errors.js';
import { signedRequestOf } from './signed-request.js';
import { validateInput } from './validate-input.js';
import { escapeXml, toXml } from './xml.js';

type Run = (cp: ControlPlane, call: Call, input: never) => Promise<Record<string, unknown> | undefined>;

interface QueryService {
  readonly version: string;
  readonly namespace: string;
  readonly inputs: Readonly<Record<string, StructureSchema>>;
  readonly operations: Readonly<Record<string, Run>>;
}

/** The two Query APIs, told apart by the SigV4 credential scope's service. */
const SERVICES: Record<'iam' | 'sts', QueryService> = {
  iam: {
    version: '2010-05-08',
    namespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    inputs: IAM_INPUTS,
    operations: {
      CreateUser: iam.createUserOp,
      GetUser: iam.getUserOp,
      ListUsers: iam.listUsersOp,
      DeleteUser: iam.deleteUserOp,
      CreateAccessKey: iam.createAccessKeyOp,
      ListAccessKeys: iam.listAccessKeysOp,
      UpdateAccessKey: iam.updateAccessKeyOp,
      DeleteAccessKey: iam.deleteAccessKeyOp,
      PutUserPolicy: iam.putUserPolicyOp,
      GetUserPolicy: iam.getUserPolicyOp,
      ListUserPolicies: iam.listUserPoliciesOp,
      DeleteUserPolicy: iam.deleteUserPolicyOp,
    } satisfies Record<keyof typeof IAM_INPUTS, unknown> as unknown as Record<string, Run>,
  },
  sts: {
    version: '2011-06-15',
    namespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    inputs: STS_INPUTS,
    operations: { GetCallerIdentity: (cp, call) => iam.getCallerIdentity(cp, call) },
  },
};

/**
 * The AWS Query protocol on `POST /` (form-encoded `Action=…&Version=…`): the IAM and STS operations
 * Berth serves, with XML responses and errors. The global services sign for us-east-1, so that region
 * is accepted beside BERTH_REGION.
 */
export async function handleQuery(cp: ControlPlane, access: AccessControl, request: FastifyRequest, reply: FastifyReply, body: Buffer): Promise<void> {
  let namespace = SERVICES.iam.namespace;
  try {
    const params = new URLSearchParams(body.toString('utf8'));
    const regions = [...new Set([cp.region, 'us-east-1'])];
    const { principal, service } = await throttledAuthentication(access, request.ip, () => authenticateSigV4(cp.identity, regions, signedRequestOf(request, body), ['iam', 'sts'], cp.clock.now()));
    const api = SERVICES[service as 'iam' | 'sts'];
    namespace = api.namespace;
    const action = params.get('Action') ?? '';
    request.routeKind = `${service}:${action}`;
    const run = Object.hasOwn(api.operations, action) ? api.operations[action] : undefined;
    if (!run) throw new RegistryError('OPERATION_UNKNOWN', `Could not find operation ${action.slice(0, 100)} for version ${params.get('Version') ?? api.version}`);
    const input = validateInput(api.inputs[action]!, formInput(api.inputs[action]!, params));
    if (service === 'iam') {
      const userName = (input as { UserName?: string }).UserName ?? (principal.kind === 'user' ? principal.userName : undefined);
      const resource = userName === undefined ? `arn:aws:iam::${cp.identity.accountId}:root` : `arn:aws:iam::${cp.identity.accountId}:user/${userName}`;
      if ((await decideOnIdentity(access, principal, `iam:${action}`, resource, conditionKeys(request))) !== 'allow') {
        throw new RegistryError('DENIED', `User: ${principal.kind === 'anonymous' ? 'anonymous' : principal.arn} is not authorized to perform: iam:${action} on resource: ${resource}`);
      }
    }
    const call: Call = { ctx: requestContext(request, reply), principal, endpoint: `${request.protocol}://${request.host}`, allowed: async () => false };
    const result = await run(cp, call, input as never);
    const requestId = randomUUID();
    const inner = result === undefined ? '' : toXml(`${action}Result`, result);
    reply
      .code(200)
      .header('content-type', 'text/xml')
      .header('x-amzn-requestid', requestId)
      .send(`<${action}Response xmlns="${namespace}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
  } catch (err) {
    sendQueryError(request, reply, err, namespace);
  }
}

/** Form parameters into the input's shape: strings as sent, integers parsed (lists are not needed by these operations). */
function formInput(schema: StructureSchema, params: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(schema.members) as [string, Schema][]) {
    const value = params.get(name);
    if (value === null) continue;
    input[name] = member.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : member.type === 'boolean' ? value === 'true' : value;
  }
  return input;
}

function sendQueryError(request: FastifyRequest, reply: FastifyReply, err: unknown, namespace: string): void {
  const error = err instanceof RegistryError ? err : new RegistryError('INTERNAL', 'We encountered an internal error. Please try again.');
  const mapped = QUERY_ERRORS[error.code];
  if (mapped.status >= 500) request.log.error({ err }, 'IAM/STS request failed');
  const requestId = randomUUID();
  const retryAfter = (error.detail as { retryAfter?: number } | undefined)?.retryAfter;
  if (error.code === 'THROTTLED' && retryAfter !== undefined) reply.header('retry-after', retryAfter);
  reply
    .code(mapped.status)
    .header('content-type', 'text/xml')
    .header('x-amzn-requestid', requestId)
    .send(
      `<ErrorResponse xmlns="${namespace}"><Error><Type>${mapped.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${mapped.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
}
