import type { StorageSetting } from './storage-setting.js';

/** The registry's settings, resolved once at start-up and frozen. */
export interface Config {
  readonly listen: { readonly host: string; readonly port: number };
  readonly dataDir: string;
  /** Set only when configured; otherwise URLs are formed from the request's Host. */
  readonly publicUrl: string | undefined;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly logLevel: LogLevel;
  readonly createOnPush: boolean;
  readonly databaseUrl: string;
  readonly storage: StorageSetting;
  /** Milliseconds an unreferenced blob waits before garbage collection reviews it. */
  readonly gcGraceMs: number;
  /** How often garbage collection runs (0: only on demand, `berth gc`). */
  readonly gcIntervalMs: number;
  /** How often every repository's lifecycle policy is applied (0: only on demand, `berth lifecycle run`). */
  readonly lifecycleIntervalMs: number;
  /** The 12-digit account id: the registryId and the account in every ARN. */
  readonly accountId: string;
  /** The region in ARNs and the SigV4 signing scope. */
  readonly region: string;
  /** BERTH_MASTER_KEY's 32 bytes, or undefined: the key file in the data dir is used (made on first start). */
  readonly masterKey: Buffer | undefined;
  /** CIDRs whose X-Forwarded-For and X-Forwarded-Proto are believed (empty: none). */
  readonly trustedProxies: readonly string[];
  /** The account root's access key to bootstrap, when configured. */
  readonly adminCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A setting with an invalid value: the message names the setting and the problem in one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
