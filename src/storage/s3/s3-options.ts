import { DEFAULT_COPY_PART_SIZE, DEFAULT_PART_SIZE, MAX_PART_SIZE, MAX_SINGLE_COPY, MIN_PART_SIZE } from './s3-limits.js';

/** Where and how the S3 driver stores objects. Credentials come from the SDK's default chain. */
export interface S3DriverOptions {
  readonly bucket: string;
  /** '' or a folder-like prefix ending with '/', e.g. 'berth/': every key is stored as prefix + key. */
  readonly prefix: string;
  readonly region: string;
  /** A non-AWS endpoint, e.g. http://127.0.0.1:9000 (MinIO, moto). */
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  readonly serverSideEncryption?: 'AES256' | 'aws:kms';
  /** The KMS key for 'aws:kms' (the bucket's default key when absent). */
  readonly sseKmsKeyId?: string;
  /** Bytes per multipart part; 8 MiB by default, raised to S3's 5 MiB minimum when lower. */
  readonly partSize?: number;
}

/** Knobs that only tests turn, to reach branches that need huge objects in production. */
export interface S3DriverTuning {
  /** Objects larger than this are copied with UploadPartCopy in parts (S3 allows 5 GiB in one copy). */
  readonly copyPartThreshold?: number;
  readonly copyPartSize?: number;
  /** Keys per ListObjectsV2 page (S3 returns at most 1,000). */
  readonly listPageSize?: number;
}

export interface ResolvedS3Options extends S3DriverOptions {
  readonly partSize: number;
  readonly copyPartThreshold: number;
  readonly copyPartSize: number;
  readonly listPageSize: number;
}

/** Checks the options and fills in defaults; throws a TypeError on a setting that can't work. */
export function resolveS3Options(options: S3DriverOptions, tuning: S3DriverTuning = {}): ResolvedS3Options {
  if (!options.bucket) throw new TypeError('S3 storage needs a bucket name');
  if (options.prefix !== '' && (!options.prefix.endsWith('/') || options.prefix.startsWith('/'))) {
    throw new TypeError(`S3 key prefix "${options.prefix}" must be empty or end with "/" (and not start with one)`);
  }
  if (!options.region) throw new TypeError('S3 storage needs a region');
  if (options.sseKmsKeyId !== undefined && options.serverSideEncryption !== 'aws:kms') {
    throw new TypeError('an SSE KMS key id needs serverSideEncryption "aws:kms"');
  }
  const copyPartSize = tuning.copyPartSize ?? DEFAULT_COPY_PART_SIZE;
  if (copyPartSize < MIN_PART_SIZE) throw new TypeError(`copy parts must be at least ${MIN_PART_SIZE} bytes`);
  return {
    ...options,
    partSize: Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, Math.floor(options.partSize ?? DEFAULT_PART_SIZE))),
    copyPartThreshold: Math.min(MAX_SINGLE_COPY, tuning.copyPartThreshold ?? MAX_SINGLE_COPY),
    copyPartSize: Math.min(MAX_PART_SIZE, copyPartSize),
    listPageSize: Math.min(1000, Math.max(1, tuning.listPageSize ?? 1000)),
  };
}
