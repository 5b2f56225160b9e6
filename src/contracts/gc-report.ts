/** The garbage-collection report as `berth gc` prints it and GET/POST /api/gc answer it. */
export interface GarbageQueueView {
  readonly waiting: number;
  readonly waitingBytes: number;
  readonly due: number;
  readonly dueBytes: number;
  readonly deleting: number;
}

export interface GarbageReportView {
  readonly dryRun: boolean;
  readonly queue: GarbageQueueView;
  readonly reviewed: number;
  readonly kept: number;
  readonly deleted: number;
  readonly bytesFreed: number;
  readonly uploadsExpired: number;
  readonly orphansRemoved: number;
  readonly storage: { readonly totalBytes: number; readonly repositories: readonly { readonly name: string; readonly bytes: number }[] };
}
