// The AWS clients on this machine, pointed at a Berth server: both AWS CLIs and both Pythons with boto3.
import { existsSync } from 'node:fs';
import { describeRun, run, type RunResult } from './process.js';

export const ADMIN = { accessKeyId: 'AKIAE2ETESTROOTKEY00', secretAccessKey: 'e2e/Secret+Access+Key/For+The+Root/00000' };
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface AwsCli {
  readonly name: string;
  readonly path: string;
}

/**
 * Debian's AWS CLI v2.9 (/usr/bin/aws, from the awscli package) and the v1.45 that `aws` finds first
 * on PATH here (it knows the newest ECR model). A missing one fails the test that needs it.
 */
export function awsClis(): AwsCli[] {
  const v1 = [...(process.env.PATH ?? '').split(':').map((dir) => `${dir}/aws`), '/root/.pyenv/shims/aws'].find((p) => p !== '/usr/bin/aws' && existsSync(p));
  return [
    { name: 'AWS CLI v2 (Debian)', path: '/usr/bin/aws' },
    { name: 'AWS CLI v1 (PATH)', path: v1 ?? 'aws-cli-v1-not-found' },
  ];
}

/** The environment of an AWS client with the given key and nothing from the user's own configuration. */
export function awsEnv(key = ADMIN): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_SESSION_TOKEN: '',
  };
}

/** Runs `aws --endpoint-url URL --output json ARGS…`. */
export function aws(cli: AwsCli, endpoint: string, args: string[], key = ADMIN): Promise<RunResult> {
  return run(cli.path, ['--endpoint-url', endpoint, '--output', 'json', ...args], { env: awsEnv(key), timeoutMs: 60_000 });
}

/** Same, parsing the JSON it prints; throws with the whole output unless it exits 0. */
export async function awsJson<T = Record<string, unknown>>(cli: AwsCli, endpoint: string, args: string[], key = ADMIN): Promise<T> {
  const result = await aws(cli, endpoint, args, key);
  if (result.code !== 0) throw new Error(describeRun(result));
  return (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as T;
}
