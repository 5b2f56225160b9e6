import { fetchAuthorizationToken } from './authorization.js';
import { clientTarget } from './endpoint.js';

/**
 * `docker-credential-berth get|store|erase|list`: Docker's credential-helper protocol. `get` reads the
 * registry host on stdin and answers with a fresh token (user AWS), so `credHelpers` in the docker
 * config keeps logins valid beyond the token's 12 hours. Tokens are made on demand, so `store` and
 * `erase` have nothing to keep and succeed; `list` names no stored credentials.
 */
export async function runCredentialHelper(action: string | undefined, stdin: string, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<string> {
  switch (action) {
    case 'get': {
      const server = stdin.trim();
      if (!server) throw new Error('docker-credential-berth get: the registry host is expected on standard input');
      const target = clientTarget(endpointFor(server, env), env, cwd);
      const { password } = await fetchAuthorizationToken(target);
      return JSON.stringify({ ServerURL: server, Username: 'AWS', Secret: password });
    }
    case 'store':
    case 'erase':
      return '';
    case 'list':
      return '{}';
    default:
      throw new Error('usage: docker-credential-berth get|store|erase|list');
  }
}

/** The API endpoint of a registry host: BERTH_PUBLIC_URL when it names that host, else http for loopback, https otherwise. */
function endpointFor(server: string, env: Readonly<Record<string, string | undefined>>): string {
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const configured = env.BERTH_PUBLIC_URL;
  if (configured && new URL(configured).host === host) return configured;
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
  return `${loopback ? 'http' : 'https'}://${host}`;
}
