/** The closed set of driver failures; drivers translate their SDK's or OS's errors into these. */
export type StorageErrorCode = 'NOT_FOUND' | 'UNAVAILABLE' | 'INVALID_UPLOAD' | 'ABORTED';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
