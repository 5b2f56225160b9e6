import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fetchAuthorizationToken } from './authorization.js';
import { registryHost, type ClientTarget } from './endpoint.js';

/**
 * `berth login [REGISTRY]`: what `aws ecr get-login-password | docker login --username AWS
 * --password-stdin REGISTRY` does, in one step: the token goes into the docker config's auths.
 */
export async function login(target: ClientTarget, registry: string | undefined, dockerConfigDir: string | undefined): Promise<string> {
  const { token, expiresAt } = await fetchAuthorizationToken(target);
  const host = registry ?? registryHost(target.endpoint);
  const dir = dockerConfigDir ?? path.join(os.homedir(), '.docker');
  const file = path.join(dir, 'config.json');
  let config: { auths?: Record<string, { auth?: string }> } = {};
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as typeof config;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  config.auths = { ...config.auths, [host]: { auth: token } };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return `Login Succeeded: ${host} (the token is in ${file}${expiresAt ? `, valid until ${expiresAt.toISOString()}` : ''})`;
}
