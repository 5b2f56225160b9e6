import type { EcrInput } from '../contracts/ecr-inputs.js';
import { RegistryError } from '../core/errors.js';
import {
  createRepository as createRepositoryRow,
  deleteRepository as deleteRepositoryRow,
  describeRepositoryPage,
  repositoriesStorageBytes,
  setTagMutability,
  type RepositorySettingsRow,
} from '../registry/repositories.service.js';
import { exclusionFilters } from '../registry/tag-mutability.js';
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
    ...exclusionFiltersShape(row),
    imageScanningConfiguration: { scanOnPush: row.scan_on_push === 1 },
    encryptionConfiguration: { encryptionType: row.encryption_type, ...(row.kms_key !== null ? { kmsKey: row.kms_key } : {}) },
  };
}

export async function createRepository(cp: ControlPlane, call: Call, input: EcrInput<'CreateRepository'>) {
  checkRegistryId(cp, input.registryId);
  const mutability = input.imageTagMutability ?? 'MUTABLE';
  const exclusions = checkExclusionFilters(mutability, input.imageTagMutabilityExclusionFilters);
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
      { imageTagMutability: mutability, imageTagMutabilityExclusions: exclusions, scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false, encryptionType: encryption.encryptionType, kmsKey: encryption.kmsKey ?? null },
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
  // Beyond ECR: the bytes each repository uses (SDKs ignore a member their model lacks).
  const bytes = await repositoriesStorageBytes(cp.registry, visible.map((row) => row.name));
  return {
    repositories: visible.map((row) => ({ ...repositoryShape(cp, call, row), storageSizeInBytes: bytes.get(row.name) ?? 0 })),
    ...(page.more && last ? { nextToken: encodeToken('repositories', [last.name]) } : {}),
  };
}

export async function deleteRepository(cp: ControlPlane, call: Call, input: EcrInput<'DeleteRepository'>) {
  checkRegistryId(cp, input.registryId);
  const row = await asEcr(cp, input.repositoryName, () => deleteRepositoryRow(cp.registry, input.repositoryName, input.force ?? false));
  return { repository: repositoryShape(cp, call, row) };
}

type ExclusionFilters = EcrInput<'PutImageTagMutability'>['imageTagMutabilityExclusionFilters'];

export async function putImageTagMutability(cp: ControlPlane, _call: Call, input: EcrInput<'PutImageTagMutability'>) {
  checkRegistryId(cp, input.registryId);
  const exclusions = checkExclusionFilters(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
  await asEcr(cp, input.repositoryName, () => setTagMutability(cp.registry, input.repositoryName, input.imageTagMutability, exclusions));
  return {
    registryId: accountOf(cp),
    repositoryName: input.repositoryName,
    imageTagMutability: input.imageTagMutability,
    ...(exclusions ? { imageTagMutabilityExclusionFilters: exclusions.map((filter) => ({ filterType: 'WILDCARD', filter })) } : {}),
  };
}

/** The filters' patterns; they go with, and only with, the *_WITH_EXCLUSION modes. */
function checkExclusionFilters(mode: string, filters: ExclusionFilters): string[] | null {
  const withExclusion = mode.endsWith('_WITH_EXCLUSION');
  if (withExclusion && !filters?.length) {
    throw new RegistryError('INVALID_PARAMETER', `Invalid parameter: imageTagMutabilityExclusionFilters are required with ${mode}`);
  }
  if (!withExclusion && filters !== undefined) {
    throw new RegistryError('INVALID_PARAMETER', `Invalid parameter: imageTagMutabilityExclusionFilters can only be given with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not ${mode}`);
  }
  return filters ? [...new Set(filters.map((f) => f.filter))] : null;
}

function exclusionFiltersShape(row: RepositorySettingsRow) {
  const filters = exclusionFilters(row);
  return filters.length ? { imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD', filter })) } : {};
}
