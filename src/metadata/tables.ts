import type { Generated } from 'kysely';

/**
 * The metadata schema as Kysely sees it. Times are epoch milliseconds. Bytes never live here: only
 * names, digests, sizes and relations (the one big rule: the database owns every name).
 */
export interface Database {
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
  uploads: UploadsTable;
}

export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export type BlobState = 'active' | 'deleting';

/** One row per stored content digest, shared by every repository that links it. */
export interface BlobsTable {
  digest: string;
  size: number;
  state: BlobState;
  created_at: number;
  /** When set, garbage collection reviews the blob after this time (it may have lost its last reference). */
  review_after: number | null;
}

/** A repository may serve a blob only when it links it (pushed, mounted or referenced there). */
export interface RepositoryBlobsTable {
  repository_id: number;
  digest: string;
  created_at: number;
}

export interface ManifestsTable {
  repository_id: number;
  digest: string;
  media_type: string;
  size: number;
  /** The artifactType a referrers listing shows: the manifest's own, else its config's media type. */
  artifact_type: string | null;
  subject_digest: string | null;
  /** The manifest's annotations as JSON text, shown in referrers listings. */
  annotations: string | null;
  pushed_at: number;
  last_pulled_at: number | null;
}

export type ReferenceKind = 'blob' | 'manifest';

/** What a manifest needs: its config and layers (blobs), or an index's children (manifests). */
export interface ManifestReferencesTable {
  repository_id: number;
  manifest_digest: string;
  child_digest: string;
  kind: ReferenceKind;
}

export interface TagsTable {
  repository_id: number;
  name: string;
  manifest_digest: string;
  updated_at: number;
}

export interface UploadsTable {
  id: string;
  repository_id: number;
  size: number;
  /** The blob driver's opaque state for this upload (see BlobDriver.UploadRef). */
  driver_state: string;
  created_at: number;
  updated_at: number;
}
