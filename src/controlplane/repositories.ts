import type { EcrInput } from '../contracts/ecr-inputs.js';
import { RegistryError } from '../core/errors.js';
import {
  createRepository as createRepositoryRow,
  deleteRepository as deleteRepositoryRow,
  describeRepositoryPage,
  type RepositorySettingsRow,
} from '../registry/repositories.service.js';
import { accountOf, asEcr, checkRegistryId, epochSeconds, repositoryArn, repositoryUri, type Call, type ControlPlane } from './control-plane.js';
import { decodeToken, encodeToken, pageLimit, refuseListWithPaging } from './pagination.js';
import { checkResourceTags, MAX_RESOURCE_TAGS } from './resource-tags.js';

/** The Repository shape of ECR's API. */
export function repositoryShape(cp: ControlPlane, call: Call, row: RepositorySettingsRow) {
  return {
    repositoryArn: repositoryArn(cp, row.name),
    registryId: accountOf(cp),
    repositoryName: row.name,
    repositoryUri: repositoryUri(call, row.name),
    createdAt: epochSeconds(row.created_at),
    imageTagMutability: row.image_tag_mutability,
    imageScanningConfiguration: { scanOnPush: row.scan_on_push === 1 },
    encryptionConfiguration: { encryptionType: row.encryption_type, ...(row.kms_key !== null ? { kmsKey: row.kms_key } : {}) },
  };
}

export async function createRepository(cp: ControlPlane, call: Call, input: EcrInput<'CreateRepository'>) {
  checkRegistryId(cp, input.registryId);
  const mutability = input.imageTagMutability ?? 'MUTABLE';
  if (mutability.endsWith('_WITH_EXCLUSION') !== (input.imageTagMutabilityExclusionFilters !== undefined)) {
    throw new RegistryError('INVALID_PARAMETER', 'Invalid parameter: imageTagMutabilityExclusionFilters go with, and only with, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION');
  }
  if (input.imageTagMutabilityExclusionFilters !== undefined) {
    throw new RegistryError('INVALID_PARAMETER', 'Invalid parameter: tag mutability exclusion filters are not supported by this registry yet; use MUTABLE or IMMUTABLE');
  }
  const encryption = input.encryptionConfiguration ?? { encryptionType: 'AES256' as const };
  if (encryption.encryptionType === 'AES256' && encryption.kmsKey !== undefined) {
    throw new RegistryError('INVALID_PARAMETER', "Invalid parameter: 'kmsKey' can only be given with the encryption type KMS or KMS_DSSE");
  }
  const tags = checkResourceTags(input.tags ?? []);
  if (tags.length > MAX_RESOURCE_TAGS) throw new RegistryError('TOO_MANY_TAGS', `A repository can have at most ${MAX_RESOURCE_TAGS} tags`);
  const row = await asEcr(cp, input.repositoryName, () =>
    createRepositoryRow(
      cp.registry,
      input.repositoryName,
      { imageTagMutability: mutability, scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false, encryptionType: encryption.encryptionType, kmsKey: encryption.kmsKey ?? null },
      tags,
    ),
  );
  return { repository: repositoryShape(cp, call, row) };
}

export async function describeRepositories(cp: ControlPlane, call: Call, input: EcrInput<'DescribeRepositories'>) {
  checkRegistryId(cp, input.registryId);
  refuseListWithPaging('repositoryNames', input.repositoryNames, input.nextToken, input.maxResults);
  const after = decodeToken('repositories', input.nextToken, 1)?.[0];
  const limit = pageLimit(input.maxResults);
  let page;
  try {
    page = await describeRepositoryPage(cp.registry, { ...(input.repositoryNames ? { names: input.repositoryNames } : {}), ...(after !== undefined ? { after } : {}), limit });
  } catch (err) {
    const missing = err instanceof RegistryError && err.code === 'NAME_UNKNOWN' ? (err.detail as { name?: string } | undefined)?.name : undefined;
    if (missing !== undefined) return asEcr(cp, missing, () => Promise.reject(err));
    throw err;
  }
  const last = page.repositories.at(-1);
  const visible = [];
  for (const row of page.repositories) if (await call.allowed('ecr:DescribeRepositories', row.name)) visible.push(row);
  return {
    repositories: visible.map((row) => repositoryShape(cp, call, row)),
    ...(page.more && last ? { nextToken: encodeToken('repositories', [last.name]) } : {}),
  };
}

export async function deleteRepository(cp: ControlPlane, call: Call, input: EcrInput<'DeleteRepository'>) {
  checkRegistryId(cp, input.registryId);
  const row = await asEcr(cp, input.repositoryName, () => deleteRepositoryRow(cp.registry, input.repositoryName, input.force ?? false));
  return { repository: repositoryShape(cp, call, row) };
}
