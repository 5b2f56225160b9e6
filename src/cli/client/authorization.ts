import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import type { ClientTarget } from './endpoint.js';

/** GetAuthorizationToken with the standard AWS credential chain: the token and its password. */
export async function fetchAuthorizationToken(target: ClientTarget): Promise<{ token: string; password: string; expiresAt: Date | undefined }> {
  const client = new ECRClient({ endpoint: target.endpoint, region: target.region });
  try {
    const data = (await client.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
    if (!data?.authorizationToken) throw new Error('the registry returned no authorization token');
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    return { token: data.authorizationToken, password: decoded.slice(decoded.indexOf(':') + 1), expiresAt: data.expiresAt };
  } catch (err) {
    throw new Error(`cannot get a login token from ${target.endpoint}: ${describeAwsError(err)}`);
  } finally {
    client.destroy();
  }
}

/** One line for an SDK error: its exception name and message. */
export function describeAwsError(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  if (e.code === 'ECONNREFUSED') return 'nothing answers there';
  return e.name && e.name !== 'Error' ? `${e.name}: ${e.message ?? ''}`.trim() : (e.message ?? String(err));
}
