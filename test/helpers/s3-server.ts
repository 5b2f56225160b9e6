import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3DriverOptions } from '../../src/storage/s3/s3-driver.js';
import { freePort } from './server-process.js';

/** An S3 store for tests: BERTH_TEST_STORAGE_URL's, or a moto_server this process started. */
export interface S3TestStore {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  /** What serves the store, for test names and messages. */
  readonly origin: string;
  /** Driver options on a key prefix of their own (a fresh random one per call), so tests never collide. */
  driverOptions(extra?: Partial<S3DriverOptions>): S3DriverOptions;
  /** A plain SDK client on the same store, to check what landed in the bucket through the S3 API itself. */
  readonly client: S3Client;
  /** Closes the client and stops moto_server when this helper started it. */
  stop(): Promise<void>;
}

export type S3ForTests = S3TestStore | { readonly skip: string };

const START_TIMEOUT_MS = 30_000;

/**
 * The S3 store for this test process. BERTH_TEST_STORAGE_URL
 * (`s3://BUCKET[/PREFIX]?endpoint=<url-encoded URL>&region=R&forcePathStyle=true`) names one; its
 * bucket is created when missing, and an unreachable store rejects (the tests fail, they are not
 * skipped). Otherwise moto_server, when on PATH, is started on a free loopback port with test
 * credentials for this process. Otherwise `{ skip }` says why there is no store.
 */
export async function s3ForTests(): Promise<S3ForTests> {
  const url = process.env['BERTH_TEST_STORAGE_URL'];
  if (url) return useConfiguredStore(url);
  if (!onPath('moto_server')) return { skip: 'no S3 store: set BERTH_TEST_STORAGE_URL or put moto_server (pip install "moto[server]") on PATH' };
  return startMoto();
}

async function useConfiguredStore(url: string): Promise<S3TestStore> {
  const parsed = new URL(url);
  if (parsed.protocol !== 's3:') throw new Error(`BERTH_TEST_STORAGE_URL must be an s3:// URL, got ${parsed.protocol}`);
  const endpoint = parsed.searchParams.get('endpoint') ?? undefined;
  const region = parsed.searchParams.get('region') ?? 'us-east-1';
  const forcePathStyle = parsed.searchParams.get('forcePathStyle') === 'true';
  const base = parsed.pathname.replace(/^\/+|\/+$/g, '');
  const client = new S3Client({ region, ...(endpoint ? { endpoint } : {}), forcePathStyle, maxAttempts: 2 });
  try {
    await ensureBucket(client, parsed.hostname, region);
  } catch (err) {
    client.destroy();
    throw new Error(`BERTH_TEST_STORAGE_URL: the S3 store at ${endpoint ?? 'AWS'} is not usable: ${(err as Error).name}: ${(err as Error).message}`);
  }
  return store({ endpoint: endpoint ?? `https://s3.${region}.amazonaws.com`, bucket: parsed.hostname, region, forcePathStyle, base: base ? `${base}/` : '', client, origin: 'BERTH_TEST_STORAGE_URL' });
}

async function startMoto(): Promise<S3TestStore> {
  process.env['AWS_ACCESS_KEY_ID'] ??= 'berth-test-key';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'berth-test-secret';
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const logFile = path.join(tmpdir(), `berth-moto-${port}.log`);
  const log = openSync(logFile, 'w');
  // A log file rather than pipes: no handle of ours keeps the test process alive.
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', log, log], cwd: tmpdir() });
  closeSync(log);
  child.unref();
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stopMoto = async (): Promise<void> => {
    process.off('exit', killOnExit);
    child.ref(); // keep the process alive until moto has exited
    await stopChild(child);
  };
  const region = 'us-east-1';
  const client = new S3Client({ region, endpoint, forcePathStyle: true, maxAttempts: 1 });
  try {
    await waitForAnswer(endpoint, child, logFile);
    const bucket = `berth-test-${randomUUID().slice(0, 8)}`;
    await ensureBucket(client, bucket, region);
    return store({ endpoint, bucket, region, forcePathStyle: true, base: '', client, origin: 'moto_server', onStop: stopMoto });
  } catch (err) {
    client.destroy();
    await stopMoto();
    throw err;
  }
}

function store(s: {
  endpoint: string;
  bucket: string;
  region: string;
  forcePathStyle: boolean;
  base: string;
  client: S3Client;
  origin: string;
  onStop?: () => Promise<void>;
}): S3TestStore {
  return {
    endpoint: s.endpoint,
    bucket: s.bucket,
    region: s.region,
    origin: s.origin,
    client: s.client,
    driverOptions: (extra = {}) => ({
      bucket: s.bucket,
      prefix: `${s.base}t-${randomUUID().slice(0, 8)}/`,
      region: s.region,
      endpoint: s.endpoint,
      forcePathStyle: s.forcePathStyle,
      ...extra,
    }),
    stop: async () => {
      s.client.destroy();
      await s.onStop?.();
    },
  };
}

async function ensureBucket(client: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw err;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }));
  } catch (err) {
    // Test files run in parallel processes: another one may have just created it.
    if ((err as Error).name !== 'BucketAlreadyOwnedByYou') throw err;
  }
}

async function waitForAnswer(endpoint: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto_server exited (${child.exitCode ?? child.signalCode}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${START_TIMEOUT_MS / 1000} s: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
