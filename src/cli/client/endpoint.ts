import { loadConfig } from '../../config/load-config.js';

/** Where a client command talks to, and the region it signs for. */
export interface ClientTarget {
  /** http(s)://host[:port] of the registry. */
  readonly endpoint: string;
  readonly region: string;
}

/** --endpoint, else BERTH_PUBLIC_URL, else the local server's listen address; the region is BERTH_REGION. */
export function clientTarget(endpointFlag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): ClientTarget {
  const config = loadConfig({ flags: {}, env, cwd });
  const host = config.listen.host === '0.0.0.0' || config.listen.host === '::' ? '127.0.0.1' : config.listen.host;
  const endpoint = endpointFlag ?? config.publicUrl ?? `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.listen.port}`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`--endpoint: expected a URL like http://127.0.0.1:5000, got "${endpoint}"`);
  }
  return { endpoint: url.origin, region: config.region };
}

/** The registry host (host[:port]) clients name in image references: docker's key for its credentials. */
export function registryHost(endpoint: string): string {
  return new URL(endpoint).host;
}
