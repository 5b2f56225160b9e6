import { issueAuthorizationToken } from '../auth/tokens/authorization-token.js';
import type { EcrInput } from '../contracts/ecr-inputs.js';
import { RegistryError } from '../core/errors.js';
import { accountOf, epochSeconds, type Call, type ControlPlane } from './control-plane.js';

export async function describeRegistry(cp: ControlPlane) {
  return { registryId: accountOf(cp), replicationConfiguration: { rules: [] } };
}

/**
 * A token for `docker login` (user AWS, the decoded password), valid 12 hours, for the caller.
 * registryIds is deprecated in ECR: the token works for this registry whatever it lists.
 */
export async function getAuthorizationToken(cp: ControlPlane, call: Call, input: EcrInput<'GetAuthorizationToken'>) {
  const foreign = input.registryIds?.find((id) => id !== accountOf(cp));
  if (foreign !== undefined) throw new RegistryError('INVALID_PARAMETER', `Invalid parameter at 'registryIds' failed to satisfy constraint: 'this registry's id is ${accountOf(cp)}, not ${foreign}'`);
  if (call.principal.kind === 'anonymous') throw new RegistryError('CREDENTIALS_MISSING', 'Missing Authentication Token');
  const { token, expiresAt } = issueAuthorizationToken(cp.identity.keyring, call.principal.arn, cp.clock.now().getTime());
  return { authorizationData: [{ authorizationToken: token, expiresAt: epochSeconds(expiresAt), proxyEndpoint: call.endpoint }] };
}
