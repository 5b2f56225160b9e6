/** One repository's lifecycle run as `berth lifecycle run` prints it. */
export interface LifecycleRunView {
  readonly repository: string;
  readonly dryRun: boolean;
  /** What the policy selects; in a run, the ones expired are also in `expired`. */
  readonly decisions: readonly { readonly digest: string; readonly tags: readonly string[]; readonly rulePriority: number; readonly sizeInBytes: number }[];
  readonly expired: readonly string[];
  readonly bytesFreed: number;
}
