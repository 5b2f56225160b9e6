import pino from 'pino';
import type { Config } from './config/config.js';
import type { Logger } from './core/context.js';
import { bootstrapIdentity, composeApp, composeServices } from './compose.js';
import { BatchedStdout } from './log-destination.js';

const SHUTDOWN_GRACE_MS = 30_000;

/**
 * Secrets never reach the log: the places a secret could sit in what we log are named one by one.
 * Why no wildcards (`*.password`): they make the logger clone every object it logs, which cost 9 µs
 * a line here, a tenth of a manifest GET. Code must not log a secret in the first place; this is
 * the net under that rule.
 */
const REDACT = [
  'authorization',
  'password',
  'secretAccessKey',
  'secret_access_key',
  'sessionToken',
  'token',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'err.headers.authorization',
  'credentials.secretAccessKey',
  'credentials.sessionToken',
];

/** JSON lines on stdout, written asynchronously (see BatchedStdout). */
export function createLogger(config: Pick<Config, 'logLevel'>, destination: pino.DestinationStream = new BatchedStdout()): pino.Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

/**
 * Runs the registry until SIGINT or SIGTERM. On a signal it stops accepting connections, lets
 * requests in flight finish for up to 30 s, then cuts the rest (their uploads stay resumable at the
 * last complete chunk) and closes the database.
 */
export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config);
  const services = await composeServices(config, logger as unknown as Logger);
  let credentialsFile: string | undefined;
  try {
    credentialsFile = await bootstrapIdentity(config, services);
  } catch (err) {
    await services.close();
    throw err;
  }
  const app = await composeApp(config, services, logger as unknown as Logger);
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    await services.close();
    const reason = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the address is already in use' : (err as Error).message;
    throw new Error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${reason}`);
  }
  services.startBackground();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const scheme = config.tls ? 'https' : 'http';
  logger.info({ url: `${scheme}://${config.listen.host}:${port}`, dataDir: config.dataDir, database: redactUrl(config.databaseUrl), storage: config.storage.kind === 's3' ? `s3://${config.storage.bucket}/${config.storage.prefix}` : config.storage.root }, 'Berth is listening');
  if (credentialsFile) logger.info({ file: credentialsFile }, `the account root's new access key is in ${credentialsFile} (AWS credentials file format)`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        logger.flush();
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing requests in flight');
      const force = setTimeout(() => {
        logger.warn('requests still running after the grace period: closing their connections');
        app.server.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      app
        .close()
        .then(() => services.close())
        .catch((err: unknown) => logger.error({ err }, 'error during shutdown'))
        .finally(() => {
          clearTimeout(force);
          logger.info('stopped');
          resolve();
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//[redacted]@');
}
