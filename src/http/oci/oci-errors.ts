import type { ErrorCode } from '../../core/errors.js';

/** Wire codes of the OCI distribution-spec error table (plus Distribution's pagination code). */
export type OciWireCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'TAG_INVALID'
  | 'PAGINATION_NUMBER_INVALID'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

/** Every domain error code, once, with the status and wire code /v2 answers it with. */
export const OCI_ERRORS = {
  BLOB_UNKNOWN: { status: 404, code: 'BLOB_UNKNOWN' },
  BLOB_IN_USE: { status: 409, code: 'DENIED' },
  BLOB_UPLOAD_INVALID: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
  UPLOAD_OFFSET_INVALID: { status: 416, code: 'BLOB_UPLOAD_INVALID' },
  RANGE_NOT_SATISFIABLE: { status: 416, code: 'SIZE_INVALID' },
  DIGEST_INVALID: { status: 400, code: 'DIGEST_INVALID' },
  SIZE_INVALID: { status: 400, code: 'SIZE_INVALID' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, code: 'MANIFEST_BLOB_UNKNOWN' },
  MANIFEST_INVALID: { status: 400, code: 'MANIFEST_INVALID' },
  MANIFEST_TOO_LARGE: { status: 413, code: 'MANIFEST_INVALID' },
  MANIFEST_UNKNOWN: { status: 404, code: 'MANIFEST_UNKNOWN' },
  MANIFEST_IN_USE: { status: 409, code: 'DENIED' },
  NAME_INVALID: { status: 400, code: 'NAME_INVALID' },
  NAME_UNKNOWN: { status: 404, code: 'NAME_UNKNOWN' },
  TAG_INVALID: { status: 400, code: 'TAG_INVALID' },
  TAG_IMMUTABLE: { status: 400, code: 'TAG_INVALID' },
  PAGINATION_INVALID: { status: 400, code: 'PAGINATION_NUMBER_INVALID' },
  ROUTE_UNKNOWN: { status: 404, code: 'UNSUPPORTED' },
  UNSUPPORTED: { status: 405, code: 'UNSUPPORTED' },
  UNAUTHORIZED: { status: 401, code: 'UNAUTHORIZED' },
  CREDENTIALS_MISSING: { status: 401, code: 'UNAUTHORIZED' },
  CREDENTIALS_INVALID: { status: 401, code: 'UNAUTHORIZED' },
  SIGNATURE_INVALID: { status: 401, code: 'UNAUTHORIZED' },
  DENIED: { status: 403, code: 'DENIED' },
  // Control-plane codes: /v2 meets them only through shared registry operations.
  REPOSITORY_EXISTS: { status: 409, code: 'DENIED' },
  REPOSITORY_NOT_EMPTY: { status: 409, code: 'DENIED' },
  INVALID_PARAMETER: { status: 400, code: 'UNSUPPORTED' },
  VALIDATION: { status: 400, code: 'UNSUPPORTED' },
  RESOURCE_TAGS_INVALID: { status: 400, code: 'UNSUPPORTED' },
  TOO_MANY_TAGS: { status: 400, code: 'UNSUPPORTED' },
  REPOSITORY_POLICY_NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  REGISTRY_POLICY_NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  LIFECYCLE_POLICY_NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  LIFECYCLE_PREVIEW_NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  SCAN_NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  LIMIT_EXCEEDED: { status: 429, code: 'TOOMANYREQUESTS' },
  IMAGE_EXISTS: { status: 409, code: 'DENIED' },
  IMAGE_DIGEST_MISMATCH: { status: 400, code: 'DIGEST_INVALID' },
  LAYER_PART_INVALID: { status: 416, code: 'BLOB_UPLOAD_INVALID' },
  LAYER_INVALID: { status: 400, code: 'DIGEST_INVALID' },
  UPLOAD_EMPTY: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  ENTITY_NOT_FOUND: { status: 404, code: 'NAME_UNKNOWN' },
  ENTITY_EXISTS: { status: 409, code: 'DENIED' },
  DELETE_CONFLICT: { status: 409, code: 'DENIED' },
  POLICY_MALFORMED: { status: 400, code: 'UNSUPPORTED' },
  THROTTLED: { status: 429, code: 'TOOMANYREQUESTS' },
  OPERATION_UNKNOWN: { status: 404, code: 'UNSUPPORTED' },
  REQUEST_MALFORMED: { status: 400, code: 'UNSUPPORTED' },
  UNAVAILABLE: { status: 503, code: 'UNAVAILABLE' },
  INTERNAL: { status: 500, code: 'UNKNOWN' },
} as const satisfies Record<ErrorCode, { status: number; code: OciWireCode }>;

export interface OciErrorBody {
  errors: { code: OciWireCode; message: string; detail?: unknown }[];
}

export function ociErrorBody(code: OciWireCode, message: string, detail?: unknown): OciErrorBody {
  return { errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] };
}
