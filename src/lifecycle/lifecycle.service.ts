import { RegistryError } from '../core/errors.js';
import { childManifestsOf, exclusiveBytes } from '../metadata/images.repository.js';
import {
  deleteLifecyclePolicyRow,
  findLifecyclePolicy,
  findLifecyclePreview,
  markLifecycleEvaluated,
  putLifecyclePolicyRow,
  putLifecyclePreview,
  repositoriesWithLifecyclePolicy,
} from '../metadata/lifecycle.repository.js';
import { expireImages, lifecycleImages } from '../registry/image-expiry.js';
import type { Registry } from '../registry/registry.js';
import { existingRepository } from '../registry/repositories.service.js';
import { evaluateLifecyclePolicy, type LifecycleDecision } from './evaluate.js';
import { parseLifecyclePolicy } from './lifecycle-policy.js';

export interface StoredLifecyclePolicy {
  readonly text: string;
  readonly lastEvaluatedAt: number | null;
}

/** What a policy expires in one repository (a preview, a dry run or a run), and the bytes that frees. */
export interface LifecycleOutcome {
  readonly repository: string;
  readonly policyText: string;
  readonly decisions: readonly LifecycleDecision[];
  /** Bytes only the expired images hold (their manifests and the blobs no other manifest uses). */
  readonly bytesFreed: number;
}

export interface LifecycleRun extends LifecycleOutcome {
  readonly dryRun: boolean;
  /** Digests actually expired (a run only; an image deleted meanwhile is not among them). */
  readonly expired: readonly string[];
}

/** PutLifecyclePolicy: validates with ECR's rules and messages, then stores (replacing any earlier policy). */
export async function setLifecyclePolicy(registry: Registry, repository: string, text: string): Promise<void> {
  const repo = await existingRepository(registry, repository);
  parseLifecyclePolicy(text);
  await putLifecyclePolicyRow(registry.metadata.db, repo.id, text, registry.clock.now().getTime());
}

export async function lifecyclePolicyOf(registry: Registry, repository: string): Promise<StoredLifecyclePolicy> {
  const repo = await existingRepository(registry, repository);
  const row = await findLifecyclePolicy(registry.metadata.db, repo.id);
  if (!row) throw policyNotFound(repository);
  return { text: row.policy_text, lastEvaluatedAt: row.last_evaluated_at };
}

export async function removeLifecyclePolicy(registry: Registry, repository: string): Promise<StoredLifecyclePolicy> {
  const repo = await existingRepository(registry, repository);
  const row = await deleteLifecyclePolicyRow(registry.metadata.db, repo.id);
  if (!row) throw policyNotFound(repository);
  return { text: row.policy_text, lastEvaluatedAt: row.last_evaluated_at };
}

/**
 * StartLifecyclePolicyPreview: evaluates `text` (else the stored policy) against the repository's
 * images now and keeps the result as the repository's one preview. Nothing is expired.
 */
export async function startLifecyclePreview(registry: Registry, repository: string, text: string | undefined): Promise<string> {
  const repo = await existingRepository(registry, repository);
  const policyText = text ?? (await lifecyclePolicyOf(registry, repository)).text;
  const outcome = await evaluate(registry, repository, policyText);
  await putLifecyclePreview(registry.metadata.db, {
    repository_id: repo.id,
    policy_text: policyText,
    status: 'COMPLETE',
    result: JSON.stringify({ decisions: outcome.decisions, bytesFreed: outcome.bytesFreed }),
    started_at: registry.clock.now().getTime(),
  });
  return policyText;
}

export async function lifecyclePreviewOf(registry: Registry, repository: string): Promise<LifecycleOutcome & { status: string }> {
  const repo = await existingRepository(registry, repository);
  const row = await findLifecyclePreview(registry.metadata.db, repo.id);
  if (!row) throw new RegistryError('LIFECYCLE_PREVIEW_NOT_FOUND', `There is no lifecycle policy preview for the repository with name '${repository}' in the registry`);
  const result = row.result ? (JSON.parse(row.result) as { decisions: LifecycleDecision[]; bytesFreed: number }) : { decisions: [], bytesFreed: 0 };
  return { repository, policyText: row.policy_text, status: row.status, ...result };
}

/** Applies the repository's policy now: expires what it selects (or, with dryRun, only reports it). */
export async function runLifecyclePolicy(registry: Registry, repository: string, options: { dryRun?: boolean } = {}): Promise<LifecycleRun> {
  const repo = await existingRepository(registry, repository);
  const policy = await lifecyclePolicyOf(registry, repository);
  const outcome = await evaluate(registry, repository, policy.text);
  const dryRun = options.dryRun ?? false;
  const expired = dryRun ? [] : await expireImages(registry, repository, outcome.decisions.map((d) => d.digest));
  if (!dryRun) await markLifecycleEvaluated(registry.metadata.db, repo.id, registry.clock.now().getTime());
  return { ...outcome, dryRun, expired };
}

/** Every repository's policy, one repository after another. */
export async function runAllLifecyclePolicies(registry: Registry, options: { dryRun?: boolean } = {}): Promise<LifecycleRun[]> {
  const runs: LifecycleRun[] = [];
  for (const repository of await repositoriesWithLifecyclePolicy(registry.metadata.db)) {
    try {
      runs.push(await runLifecyclePolicy(registry, repository, options));
    } catch (err) {
      // Deleted meanwhile, or its policy was: nothing to do there.
      if (!(err instanceof RegistryError) || (err.code !== 'NAME_UNKNOWN' && err.code !== 'LIFECYCLE_POLICY_NOT_FOUND')) throw err;
    }
  }
  return runs;
}

async function evaluate(registry: Registry, repository: string, text: string): Promise<LifecycleOutcome> {
  const policy = parseLifecyclePolicy(text);
  const images = await lifecycleImages(registry, repository);
  const decisions = evaluateLifecyclePolicy(
    policy,
    images.map((image) => ({ digest: image.digest, tags: image.tags, pushedAt: image.pushedAt, lastPulledAt: image.lastPulledAt, sizeInBytes: image.sizeBytes })),
    registry.clock.now().getTime(),
  );
  const repo = await existingRepository(registry, repository);
  const expiring = decisions.map((d) => d.digest);
  const children = [...(await childManifestsOf(registry.metadata.db, repo.id, expiring)).values()].flat();
  const bytesFreed = await exclusiveBytes(registry.metadata.db, repo.id, [...expiring, ...children]);
  return { repository, policyText: text, decisions, bytesFreed };
}

function policyNotFound(repository: string): RegistryError {
  return new RegistryError('LIFECYCLE_POLICY_NOT_FOUND', `Lifecycle policy does not exist for the repository with name '${repository}' in the registry`);
}
