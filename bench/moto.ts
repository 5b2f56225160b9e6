// The S3 store of the scale-out bench: a moto_server started on a free loopback port (it keeps every object
// in memory, and is stopped at the end), or the one at BENCH_S3_ENDPOINT. Either way the bench works in a
// fresh bucket of its own; on BENCH_S3_ENDPOINT's server that bucket is emptied and deleted at the end.
import { randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { freePort, launch } from './servers.js';

export interface S3Store {
  /** e.g. http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** What serves it, for the output: "moto_server (pid N)" or "BENCH_S3_ENDPOINT". */
  readonly origin: string;
  /** Stops the moto_server it started, or empties and deletes its bucket on BENCH_S3_ENDPOINT's server. */
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
/** moto accepts any credentials; these are what the servers under test sign with. */
const DUMMY_CREDENTIALS = { accessKeyId: 'berth-bench', secretAccessKey: 'berth-bench-secret' };

function s3Client(endpoint: string, credentials: S3Store['credentials']): S3Client {
  return new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials, maxAttempts: 2 });
}

export async function startS3Store(dir: string): Promise<S3Store> {
  const bucket = `berth-bench-${randomBytes(4).toString('hex')}`;
  const external = process.env.BENCH_S3_ENDPOINT;
  if (external) {
    const credentials = {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID || DUMMY_CREDENTIALS.accessKeyId,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || DUMMY_CREDENTIALS.secretAccessKey,
    };
    const endpoint = external.replace(/\/+$/, '');
    const client = s3Client(endpoint, credentials);
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (err) {
      client.destroy();
      throw new Error(`BENCH_S3_ENDPOINT ${endpoint}: cannot create bucket ${bucket}: ${(err as Error).name}: ${(err as Error).message}`);
    }
    return {
      endpoint,
      region: REGION,
      bucket,
      credentials,
      origin: 'BENCH_S3_ENDPOINT',
      async stop() {
        try {
          await deleteBucket(client, bucket);
        } finally {
          client.destroy();
        }
      },
    };
  }

  const port = await freePort();
  const moto = await launch({ kind: 's3', name: 'moto', label: 'moto_server', cmd: 'moto_server', args: ['-H', '127.0.0.1', '-p', String(port)], env: process.env, dir, port, readyPath: '/' });
  const client = s3Client(moto.url, DUMMY_CREDENTIALS);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    await moto.stop();
    throw new Error(`moto_server at ${moto.url}: cannot create bucket ${bucket}: ${(err as Error).name}: ${(err as Error).message}`);
  } finally {
    client.destroy();
  }
  return {
    endpoint: moto.url,
    region: REGION,
    bucket,
    credentials: DUMMY_CREDENTIALS,
    origin: `moto_server (pid ${moto.pids[0]})`,
    stop: () => moto.stop(),
  };
}

/** Deletes every object and pending multipart upload in the bucket, then the bucket. */
async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  for (let token: string | undefined; ; ) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.NextContinuationToken;
    if (!page.IsTruncated || !token) break;
  }
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const u of uploads.Uploads ?? []) {
    if (u.Key && u.UploadId) await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
