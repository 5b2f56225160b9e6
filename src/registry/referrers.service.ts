import { parseDigest } from '../core/digest.js';
import { assertRepositoryName } from '../core/names.js';
import { listReferrers as selectReferrers } from '../metadata/manifests.repository.js';
import type { Registry } from './registry.js';

export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Descriptors of the manifests whose subject is `subject` (an empty list for an unknown subject). */
export async function listReferrers(registry: Registry, repository: string, subject: string, artifactType?: string): Promise<ReferrerDescriptor[]> {
  assertRepositoryName(repository);
  const digest = parseDigest(subject);
  const rows = await selectReferrers(registry.metadata.db, repository, digest.value, artifactType);
  return rows.map((row) => ({
    mediaType: row.media_type,
    digest: row.digest,
    size: row.size,
    ...(row.artifact_type ? { artifactType: row.artifact_type } : {}),
    ...(row.annotations ? { annotations: JSON.parse(row.annotations) as Record<string, string> } : {}),
  }));
}
