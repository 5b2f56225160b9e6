import type { LifecycleRunView } from '../contracts/lifecycle-report.js';
import { formatBytes } from './gc-report.js';

/** `berth lifecycle run`'s output: per repository, the images expired (or that would be) and the bytes that frees. */
export function formatLifecycleRuns(runs: readonly LifecycleRunView[], dryRun: boolean): string {
  if (runs.length === 0) return 'no repository has a lifecycle policy';
  const verb = dryRun ? 'would expire' : 'expired';
  return runs
    .flatMap((run) => [
      `${run.repository}: ${verb} ${dryRun ? run.decisions.length : run.expired.length} images, freeing ${formatBytes(run.bytesFreed)}`,
      ...run.decisions.map((d) => `  ${d.digest}  ${d.tags.length ? d.tags.join(',') : '<untagged>'}  rule ${d.rulePriority}`),
    ])
    .join('\n');
}
