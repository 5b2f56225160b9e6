export interface CachedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
}

/** Least-recently-used manifest bytes by digest, bounded by total size. Content by digest never changes. */
export class ManifestCache {
  private readonly entries = new Map<string, CachedManifest>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(digest: string): CachedManifest | undefined {
    const entry = this.entries.get(digest);
    if (entry) {
      this.entries.delete(digest);
      this.entries.set(digest, entry);
    }
    return entry;
  }

  set(digest: string, entry: CachedManifest): void {
    if (entry.bytes.length > this.maxBytes / 4 || this.entries.has(digest)) return;
    this.entries.set(digest, entry);
    this.bytes += entry.bytes.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes.length;
    }
  }
}
