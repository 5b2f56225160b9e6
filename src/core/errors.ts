/**
 * The closed set of failures the domain reports. Each protocol maps every code in exactly one table
 * (http/oci/oci-errors.ts for /v2), so an unmapped code is a compile error there.
 */
export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_IN_USE'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'UPLOAD_OFFSET_INVALID'
  | 'RANGE_NOT_SATISFIABLE'
  | 'DIGEST_INVALID'
  | 'SIZE_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_TOO_LARGE'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_IN_USE'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'TAG_INVALID'
  | 'TAG_IMMUTABLE'
  | 'PAGINATION_INVALID'
  | 'ROUTE_UNKNOWN'
  | 'UNSUPPORTED'
  | 'UNAUTHORIZED'
  | 'CREDENTIALS_MISSING'
  | 'CREDENTIALS_INVALID'
  | 'SIGNATURE_INVALID'
  | 'DENIED'
  | 'REPOSITORY_EXISTS'
  | 'REPOSITORY_NOT_EMPTY'
  | 'INVALID_PARAMETER'
  | 'VALIDATION'
  | 'RESOURCE_TAGS_INVALID'
  | 'TOO_MANY_TAGS'
  | 'REPOSITORY_POLICY_NOT_FOUND'
  | 'REGISTRY_POLICY_NOT_FOUND'
  | 'LIFECYCLE_POLICY_NOT_FOUND'
  | 'LIFECYCLE_PREVIEW_NOT_FOUND'
  | 'SCAN_NOT_FOUND'
  | 'LIMIT_EXCEEDED'
  | 'IMAGE_EXISTS'
  | 'IMAGE_DIGEST_MISMATCH'
  | 'LAYER_PART_INVALID'
  | 'LAYER_INVALID'
  | 'UPLOAD_EMPTY'
  | 'ENTITY_NOT_FOUND'
  | 'ENTITY_EXISTS'
  | 'DELETE_CONFLICT'
  | 'POLICY_MALFORMED'
  | 'THROTTLED'
  | 'OPERATION_UNKNOWN'
  | 'REQUEST_MALFORMED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** A failure with a code from the closed set, a one-line message and optional structured detail. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}
