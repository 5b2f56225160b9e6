import { RegistryError } from '../core/errors.js';
import { activeKey, type Identity } from './access-keys.service.js';
import type { Principal } from './principal.js';
import type { SignedRequest } from './sigv4/signed-request.js';
import { parseSigV4, verifySigV4 } from './sigv4/verify.js';

/**
 * The principal a SigV4-signed request comes from. The credential scope's service must be one of
 * `services` (ecr for the ECR API; iam or sts for the Query API). Throws CREDENTIALS_MISSING,
 * CREDENTIALS_INVALID or SIGNATURE_INVALID.
 */
export async function authenticateSigV4(
  identity: Identity,
  region: string | readonly string[],
  request: SignedRequest,
  services: readonly string[],
  now: Date,
): Promise<{ principal: Principal; service: string; accessKeyId: string }> {
  const params = parseSigV4(request);
  if (!services.includes(params.service)) {
    throw new RegistryError('SIGNATURE_INVALID', `Credential should be scoped to correct service: '${services[0]}', not '${params.service}'`);
  }
  let principal: Principal | undefined;
  await verifySigV4(request, params, {
    region,
    now,
    secretOf: async (id) => {
      const key = await activeKey(identity, id);
      principal = key?.principal;
      return key?.secret;
    },
  });
  return { principal: principal!, service: params.service, accessKeyId: params.accessKeyId };
}
