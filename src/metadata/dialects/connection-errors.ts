import { RegistryError } from '../../core/errors.js';

// SQLSTATE classes and codes that mean "the database cannot serve us right now", not "the query is wrong".
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300|53400)$/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /connection terminated|timeout exceeded when trying to connect|not queryable|connection error/i;

/** The error as the registry reports it: UNAVAILABLE (503, retryable) when the database is out of reach. */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof RegistryError) return err;
  const code = (err as { code?: unknown }).code;
  const unavailable =
    (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) ||
    UNAVAILABLE_MESSAGES.test((err as Error)?.message ?? '');
  return unavailable ? new RegistryError('UNAVAILABLE', 'the metadata database is unavailable; retry later') : err;
}
