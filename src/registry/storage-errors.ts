import { RegistryError } from '../core/errors.js';
import { isStorageError } from '../storage/storage-error.js';

/** Translates a driver failure into the registry's error set (storage trouble is retryable: 503). */
export function fromStorageError(err: unknown): unknown {
  if (err instanceof RegistryError) return err;
  if (isStorageError(err, 'UNAVAILABLE')) return new RegistryError('UNAVAILABLE', 'blob storage is unavailable; retry later');
  if (isStorageError(err, 'INVALID_UPLOAD')) return new RegistryError('BLOB_UPLOAD_INVALID', err.message);
  return err;
}
