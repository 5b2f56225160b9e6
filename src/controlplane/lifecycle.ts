import type { EcrInput } from '../contracts/ecr-inputs.js';
import { RegistryError } from '../core/errors.js';
import {
  lifecyclePolicyOf,
  lifecyclePreviewOf,
  removeLifecyclePolicy,
  setLifecyclePolicy,
  startLifecyclePreview,
} from '../lifecycle/lifecycle.service.js';
import { accountOf, asEcr, checkRegistryId, epochSeconds, type Call, type ControlPlane } from './control-plane.js';
import { decodeToken, encodeToken, pageLimit, refuseListWithPaging } from './pagination.js';

export async function putLifecyclePolicy(cp: ControlPlane, _call: Call, input: EcrInput<'PutLifecyclePolicy'>) {
  checkRegistryId(cp, input.registryId);
  await lifecycle(cp, input.repositoryName, () => setLifecyclePolicy(cp.registry, input.repositoryName, input.lifecyclePolicyText));
  return { registryId: accountOf(cp), repositoryName: input.repositoryName, lifecyclePolicyText: input.lifecyclePolicyText };
}

export async function getLifecyclePolicy(cp: ControlPlane, _call: Call, input: EcrInput<'GetLifecyclePolicy'>) {
  checkRegistryId(cp, input.registryId);
  const policy = await lifecycle(cp, input.repositoryName, () => lifecyclePolicyOf(cp.registry, input.repositoryName));
  return policyShape(cp, input.repositoryName, policy);
}

export async function deleteLifecyclePolicy(cp: ControlPlane, _call: Call, input: EcrInput<'DeleteLifecyclePolicy'>) {
  checkRegistryId(cp, input.registryId);
  const policy = await lifecycle(cp, input.repositoryName, () => removeLifecyclePolicy(cp.registry, input.repositoryName));
  return policyShape(cp, input.repositoryName, policy);
}

export async function startLifecyclePolicyPreview(cp: ControlPlane, _call: Call, input: EcrInput<'StartLifecyclePolicyPreview'>) {
  checkRegistryId(cp, input.registryId);
  const text = await lifecycle(cp, input.repositoryName, () => startLifecyclePreview(cp.registry, input.repositoryName, input.lifecyclePolicyText));
  // ECR answers before it evaluates; Berth evaluates at once, and GetLifecyclePolicyPreview has the result.
  return { registryId: accountOf(cp), repositoryName: input.repositoryName, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
}

export async function getLifecyclePolicyPreview(cp: ControlPlane, _call: Call, input: EcrInput<'GetLifecyclePolicyPreview'>) {
  checkRegistryId(cp, input.registryId);
  refuseListWithPaging('imageIds', input.imageIds, input.nextToken, input.maxResults);
  const preview = await lifecycle(cp, input.repositoryName, () => lifecyclePreviewOf(cp.registry, input.repositoryName));
  const tagStatus = input.filter?.tagStatus ?? 'ANY';
  const wanted = input.imageIds;
  const matching = preview.decisions.filter((d) => {
    if (tagStatus === 'TAGGED' && d.tags.length === 0) return false;
    if (tagStatus === 'UNTAGGED' && d.tags.length > 0) return false;
    return !wanted || wanted.some((id) => (id.imageDigest === undefined || id.imageDigest === d.digest) && (id.imageTag === undefined || d.tags.includes(id.imageTag)));
  });
  const start = Number(decodeToken('lifecycle-preview', input.nextToken, 1)?.[0] ?? 0);
  const limit = pageLimit(input.maxResults);
  const page = matching.slice(start, start + limit);
  return {
    registryId: accountOf(cp),
    repositoryName: input.repositoryName,
    lifecyclePolicyText: preview.policyText,
    status: preview.status,
    previewResults: page.map((d) => ({
      ...(d.tags.length ? { imageTags: [...d.tags] } : {}),
      imageDigest: d.digest,
      imagePushedAt: epochSeconds(d.pushedAt),
      action: { type: d.action },
      appliedRulePriority: d.rulePriority,
      storageClass: 'STANDARD',
    })),
    // expiringImageTotalBytes is Berth's: what expiring them frees (SDKs ignore members they don't know).
    summary: { expiringImageTotalCount: preview.decisions.length, expiringImageTotalBytes: preview.bytesFreed },
    ...(start + limit < matching.length ? { nextToken: encodeToken('lifecycle-preview', [String(start + limit)]) } : {}),
  };
}

function policyShape(cp: ControlPlane, repositoryName: string, policy: { text: string; lastEvaluatedAt: number | null }) {
  return {
    registryId: accountOf(cp),
    repositoryName,
    lifecyclePolicyText: policy.text,
    ...(policy.lastEvaluatedAt !== null ? { lastEvaluatedAt: epochSeconds(policy.lastEvaluatedAt) } : {}),
  };
}

/** asEcr, and the lifecycle errors worded as ECR does (with the registry id). */
async function lifecycle<T>(cp: ControlPlane, repository: string, work: () => Promise<T>): Promise<T> {
  return asEcr(cp, repository, async () => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof RegistryError && (err.code === 'LIFECYCLE_POLICY_NOT_FOUND' || err.code === 'LIFECYCLE_PREVIEW_NOT_FOUND')) {
        throw new RegistryError(err.code, `${err.message} with id '${accountOf(cp)}'`);
      }
      throw err;
    }
  });
}
