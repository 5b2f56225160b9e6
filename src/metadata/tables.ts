import type { ColumnType, Generated } from 'kysely';

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
  users: UsersTable;
  access_keys: AccessKeysTable;
  user_policies: UserPoliciesTable;
  repository_tags: RepositoryTagsTable;
  registry_settings: RegistrySettingsTable;
  jobs: JobsTable;
  lifecycle_policies: LifecyclePoliciesTable;
  lifecycle_previews: LifecyclePreviewsTable;
  image_scans: ImageScansTable;
  layer_facts: LayerFactsTable;
  vuln_records: VulnRecordsTable;
  vuln_packages: VulnPackagesTable;
}

export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  created_at: number;
  /** ECR's imageTagMutability: MUTABLE, IMMUTABLE, … */
  image_tag_mutability: ColumnType<string, string | undefined, string>;
  /** JSON array of the *_WITH_EXCLUSION wildcard filters; null: none. */
  image_tag_mutability_exclusions: ColumnType<string | null, string | null | undefined, string | null>;
  /** 0 or 1. */
  scan_on_push: ColumnType<number, number | undefined, number>;
  /** AES256, KMS or KMS_DSSE. */
  encryption_type: ColumnType<string, string | undefined, string>;
  kms_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** The repository policy document (JSON text), or null. */
  policy: ColumnType<string | null, string | null | undefined, string | null>;
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

/** IAM-style users of the account. */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  /** IAM's unique id (AIDA…), shown as UserId and in aws:userid. */
  user_id: string;
  path: string;
  created_at: number;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeysTable {
  id: string;
  /** null: a key of the account root. */
  user_id: number | null;
  /** The secret access key, encrypted with the master key (SigV4 needs the secret itself). */
  secret_sealed: string;
  status: AccessKeyStatus;
  created_at: number;
  last_used_at: number | null;
}

export interface UserPoliciesTable {
  user_id: number;
  name: string;
  document: string;
}

/** A repository's resource tags (TagResource), not image tags. */
export interface RepositoryTagsTable {
  repository_id: number;
  key: string;
  value: string;
}

export interface RegistrySettingsTable {
  name: string;
  value: string;
  updated_at: number;
}

/** Background work; leased by one worker at a time (lease_owner until lease_until). */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  dedupe_key: string;
  /** JSON, the job kind's own shape. */
  payload: string;
  run_after: number;
  attempts: ColumnType<number, number | undefined, number>;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
}

export interface LifecyclePoliciesTable {
  repository_id: number;
  policy_text: string;
  updated_at: number;
  /** When a run last applied it (ECR's lastEvaluatedAt); null: never. */
  last_evaluated_at: number | null;
}

export interface LifecyclePreviewsTable {
  repository_id: number;
  policy_text: string;
  /** IN_PROGRESS, COMPLETE or FAILED. */
  status: string;
  /** JSON of what the policy would expire; null while in progress. */
  result: string | null;
  started_at: number;
}

export interface ImageScansTable {
  repository_id: number;
  manifest_digest: string;
  /** IN_PROGRESS, COMPLETE, FAILED or UNSUPPORTED_IMAGE. */
  status: string;
  description: string | null;
  /** BASIC or ENHANCED. */
  scan_type: string;
  started_at: number;
  completed_at: number | null;
  /** JSON Inventory, once the layers were read. */
  inventory: string | null;
  /** JSON findings, once matched. */
  findings: string | null;
  /** The vulnerability data's generation the findings were matched against. */
  vulndb_generation: number | null;
}

/** What the scanner learnt from a layer, by its digest (layers are immutable). */
export interface LayerFactsTable {
  layer_digest: string;
  facts: string;
  created_at: number;
}

/** An OSV record of the offline vulnerability database. */
export interface VulnRecordsTable {
  id: string;
  /** OSV's `modified` (RFC 3339). */
  modified: string;
  /** OSV's `withdrawn` time; null: in force. */
  withdrawn: string | null;
  /** The record as JSON text. */
  record: string;
  /** The vulnerability database generation of the import that added or last changed it. */
  generation: number;
}

/** A package an OSV record affects (one row per distinct ecosystem and name; PyPI names PEP 503-normalised). */
export interface VulnPackagesTable {
  record_id: string;
  ecosystem: string;
  name: string;
}
