import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3DriverOptions } from './s3-options.js';

const CONNECT_TIMEOUT_MS = 3_000;
const SOCKET_IDLE_TIMEOUT_MS = 60_000;
const MAX_SOCKETS = 64;

/**
 * An S3 client for the driver. Credentials come from the SDK's default chain.
 *
 * Timeouts: a connection must open within 3 s, and a socket that moves no byte for 60 s fails the
 * request. There is no limit on a whole request: sending a 64 MiB part or streaming a blob to a slow
 * client legitimately takes longer than any fixed bound. The SDK retries (3 attempts in all) on
 * throttling, 5xx and dropped connections. Checksums are only computed where S3 requires them, since
 * several S3-compatible servers reject the newer checksum headers; SigV4 already covers payloads.
 */
export function createS3Client(options: S3DriverOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS };
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    maxAttempts: 3,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
}

/** The endpoint as operators should see it in messages: its origin without any user info. */
export function describeEndpoint(options: S3DriverOptions): string {
  if (!options.endpoint) return `AWS ${options.region}`;
  try {
    return new URL(options.endpoint).origin;
  } catch {
    return 'the configured endpoint';
  }
}
