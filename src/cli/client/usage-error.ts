/** A usage mistake in a client command (exit code 2). */
export class ClientUsageError extends Error {}
