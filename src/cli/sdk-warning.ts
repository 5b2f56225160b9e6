/**
 * The AWS SDK (the S3 driver, the client commands) warns on every run under Node 20 that its releases
 * from 2027 need Node 22. A command's errors are one line on stderr, so that notice (about the SDK's
 * future, not this run) is dropped; every other warning still prints.
 */
export function silenceSdkNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/AWS SDK for JavaScript \(v3\)[\s\S]*require node/.test(text)) return;
    (emit as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
