import { parsePolicy } from '../auth/policy/parse-policy.js';
import type { EcrInput } from '../contracts/ecr-inputs.js';
import { RegistryError } from '../core/errors.js';
import { deleteRegistrySetting, findRegistrySetting, putRegistrySetting } from '../metadata/registry-settings.repository.js';
import { findRepositoryPolicy, setRepositoryPolicy } from '../metadata/repository-settings.repository.js';
import { existingRepository } from '../registry/repositories.service.js';
import { accountOf, asEcr, checkRegistryId, type Call, type ControlPlane } from './control-plane.js';

const REGISTRY_POLICY = 'registry-policy';
/** What ECR's registry policy may grant: replication, pull-through cache imports, repository creation. */
const REGISTRY_POLICY_ACTIONS = ['ecr:ReplicateImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'];

export async function setRepositoryPolicyOp(cp: ControlPlane, _call: Call, input: EcrInput<'SetRepositoryPolicy'>) {
  checkRegistryId(cp, input.registryId);
  parsePolicy(input.policyText, 'repository');
  const repo = await asEcr(cp, input.repositoryName, () => existingRepository(cp.registry, input.repositoryName));
  await setRepositoryPolicy(cp.registry.metadata.db, repo.id, input.policyText);
  return { registryId: accountOf(cp), repositoryName: input.repositoryName, policyText: input.policyText };
}

export async function getRepositoryPolicyOp(cp: ControlPlane, _call: Call, input: EcrInput<'GetRepositoryPolicy'>) {
  checkRegistryId(cp, input.registryId);
  const policyText = await currentRepositoryPolicy(cp, input.repositoryName);
  return { registryId: accountOf(cp), repositoryName: input.repositoryName, policyText };
}

export async function deleteRepositoryPolicyOp(cp: ControlPlane, _call: Call, input: EcrInput<'DeleteRepositoryPolicy'>) {
  checkRegistryId(cp, input.registryId);
  const policyText = await currentRepositoryPolicy(cp, input.repositoryName);
  const repo = await existingRepository(cp.registry, input.repositoryName);
  await setRepositoryPolicy(cp.registry.metadata.db, repo.id, null);
  return { registryId: accountOf(cp), repositoryName: input.repositoryName, policyText };
}

async function currentRepositoryPolicy(cp: ControlPlane, name: string): Promise<string> {
  const repo = await asEcr(cp, name, () => existingRepository(cp.registry, name));
  const policy = await findRepositoryPolicy(cp.registry.metadata.db, repo.id);
  if (policy === null) {
    throw new RegistryError('REPOSITORY_POLICY_NOT_FOUND', `Repository policy does not exist for the repository with name '${name}' in the registry with id '${accountOf(cp)}'`);
  }
  return policy;
}

export async function putRegistryPolicy(cp: ControlPlane, _call: Call, input: EcrInput<'PutRegistryPolicy'>) {
  const policy = parsePolicy(input.policyText, 'registry');
  for (const statement of policy.statements) {
    const refused = (statement.actions ?? ['NotAction']).find((a) => !REGISTRY_POLICY_ACTIONS.includes(a));
    if (refused !== undefined) {
      throw new RegistryError(
        'INVALID_PARAMETER',
        `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided: a registry policy may only grant ${REGISTRY_POLICY_ACTIONS.join(', ')}, not ${refused}'`,
      );
    }
  }
  await putRegistrySetting(cp.registry.metadata.db, REGISTRY_POLICY, input.policyText, cp.clock.now().getTime());
  return { registryId: accountOf(cp), policyText: input.policyText };
}

export async function getRegistryPolicy(cp: ControlPlane) {
  const policyText = await findRegistrySetting(cp.registry.metadata.db, REGISTRY_POLICY);
  if (policyText === undefined) throw registryPolicyNotFound(cp);
  return { registryId: accountOf(cp), policyText };
}

export async function deleteRegistryPolicy(cp: ControlPlane) {
  const policyText = await deleteRegistrySetting(cp.registry.metadata.db, REGISTRY_POLICY);
  if (policyText === undefined) throw registryPolicyNotFound(cp);
  return { registryId: accountOf(cp), policyText };
}

function registryPolicyNotFound(cp: ControlPlane): RegistryError {
  return new RegistryError('REGISTRY_POLICY_NOT_FOUND', `Registry policy does not exist in the registry with id '${accountOf(cp)}'`);
}
