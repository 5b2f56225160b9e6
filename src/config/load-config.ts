import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type Config } from './config.js';
import { parseStorageSetting } from './storage-setting.js';
import {
  parseAccessKeyId,
  parseAccountId,
  parseBoolean,
  parseCidrList,
  parseDuration,
  parseHttpUrl,
  parseListen,
  parseLogLevel,
  parseMasterKey,
  parseNonEmpty,
  parseRegion,
  parseSecretAccessKey,
} from './parse-values.js';

/** Every setting, by its name without the BERTH_ prefix. The flag is its lower-case name with dashes. */
export const SETTING_NAMES = [
  'LISTEN',
  'DATA_DIR',
  'PUBLIC_URL',
  'TLS_CERT',
  'TLS_KEY',
  'LOG_LEVEL',
  'CREATE_ON_PUSH',
  'DATABASE_URL',
  'STORAGE_URL',
  'GC_GRACE',
  'GC_INTERVAL',
  'LIFECYCLE_INTERVAL',
  'ACCOUNT_ID',
  'REGION',
  'MASTER_KEY',
  'ADMIN_ACCESS_KEY_ID',
  'ADMIN_SECRET_ACCESS_KEY',
  'TRUSTED_PROXIES',
] as const;
type SettingName = (typeof SETTING_NAMES)[number];

export interface ConfigSources {
  /** Command-line flags by setting-style name (`listen`, `data-dir`, `config`). */
  readonly flags: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths are resolved against this directory. */
  readonly cwd: string;
}

export function flagName(setting: SettingName | 'CONFIG'): string {
  return setting.toLowerCase().replaceAll('_', '-');
}

/** Resolves flags > environment > config file > defaults into a frozen Config; throws ConfigError. */
export function loadConfig(sources: ConfigSources): Config {
  const file = readConfigFile(sources);
  const raw = (name: SettingName): string | undefined =>
    sources.flags[flagName(name)] ?? nonEmpty(sources.env[`BERTH_${name}`]) ?? file[name];
  const label = (name: SettingName): string => `BERTH_${name}`;
  const resolvePath = (p: string): string => path.resolve(sources.cwd, p);

  const listen = parseListen(label('LISTEN'), raw('LISTEN') ?? '127.0.0.1:5000');
  const dataDir = resolvePath(parseNonEmpty(label('DATA_DIR'), raw('DATA_DIR') ?? './data'));
  const publicUrlRaw = raw('PUBLIC_URL');
  const tls = readTls(raw('TLS_CERT'), raw('TLS_KEY'), resolvePath);
  const databaseUrl = parseDatabaseUrl(raw('DATABASE_URL'), dataDir, resolvePath);
  const region = parseRegion(label('REGION'), raw('REGION') ?? 'us-east-1');
  // The S3 SDK's own region settings apply to the bucket when its URL names none.
  const storageRegion = nonEmpty(sources.env.AWS_REGION) ?? nonEmpty(sources.env.AWS_DEFAULT_REGION) ?? region;
  const storage = parseStorageSetting(raw('STORAGE_URL')?.trim() ?? `file:${path.join(dataDir, 'blobs')}`, resolvePath, storageRegion);

  return Object.freeze({
    listen: Object.freeze(listen),
    dataDir,
    publicUrl: publicUrlRaw === undefined ? undefined : parseHttpUrl(label('PUBLIC_URL'), publicUrlRaw),
    tls,
    logLevel: parseLogLevel(label('LOG_LEVEL'), raw('LOG_LEVEL') ?? 'info'),
    createOnPush: parseBoolean(label('CREATE_ON_PUSH'), raw('CREATE_ON_PUSH') ?? 'true'),
    databaseUrl,
    storage: Object.freeze(storage),
    gcGraceMs: parseDuration(label('GC_GRACE'), raw('GC_GRACE') ?? '24h'),
    gcIntervalMs: parseDuration(label('GC_INTERVAL'), raw('GC_INTERVAL') ?? '1h'),
    lifecycleIntervalMs: parseDuration(label('LIFECYCLE_INTERVAL'), raw('LIFECYCLE_INTERVAL') ?? '1h'),
    accountId: parseAccountId(label('ACCOUNT_ID'), raw('ACCOUNT_ID') ?? '000000000000'),
    region,
    masterKey: raw('MASTER_KEY') === undefined ? undefined : parseMasterKey(label('MASTER_KEY'), raw('MASTER_KEY')!),
    adminCredentials: readAdminCredentials(raw('ADMIN_ACCESS_KEY_ID'), raw('ADMIN_SECRET_ACCESS_KEY')),
    trustedProxies: Object.freeze(parseCidrList(label('TRUSTED_PROXIES'), raw('TRUSTED_PROXIES') ?? '')),
  });
}

function readAdminCredentials(accessKeyId: string | undefined, secret: string | undefined): Config['adminCredentials'] {
  if (accessKeyId === undefined && secret === undefined) return undefined;
  if (accessKeyId === undefined) throw new ConfigError('BERTH_ADMIN_ACCESS_KEY_ID: must be set when BERTH_ADMIN_SECRET_ACCESS_KEY is set');
  if (secret === undefined) throw new ConfigError('BERTH_ADMIN_SECRET_ACCESS_KEY: must be set when BERTH_ADMIN_ACCESS_KEY_ID is set');
  return Object.freeze({
    accessKeyId: parseAccessKeyId('BERTH_ADMIN_ACCESS_KEY_ID', accessKeyId),
    secretAccessKey: parseSecretAccessKey('BERTH_ADMIN_SECRET_ACCESS_KEY', secret),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function readConfigFile(sources: ConfigSources): Partial<Record<SettingName, string>> {
  const fileName = sources.flags[flagName('CONFIG')] ?? nonEmpty(sources.env.BERTH_CONFIG);
  if (fileName === undefined) return {};
  const filePath = path.resolve(sources.cwd, fileName);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(filePath, 'utf8')); // YAML is a superset of JSON
  } catch (err) {
    throw new ConfigError(`BERTH_CONFIG: cannot read ${filePath}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`BERTH_CONFIG: ${filePath} must hold a mapping of settings`);
  }
  const out: Partial<Record<SettingName, string>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const name = key.toUpperCase().replaceAll('-', '_').replace(/^BERTH_/, '');
    if (!(SETTING_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(`BERTH_CONFIG: unknown setting "${key}" in ${filePath}`);
    }
    if (value === null || typeof value === 'object') {
      throw new ConfigError(`BERTH_CONFIG: setting "${key}" in ${filePath} must be a string, number or boolean`);
    }
    out[name as SettingName] = String(value);
  }
  return out;
}

function readTls(
  cert: string | undefined,
  key: string | undefined,
  resolvePath: (p: string) => string,
): Config['tls'] {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) throw new ConfigError('BERTH_TLS_CERT: must be set when BERTH_TLS_KEY is set');
  if (key === undefined) throw new ConfigError('BERTH_TLS_KEY: must be set when BERTH_TLS_CERT is set');
  const files = { cert: resolvePath(cert), key: resolvePath(key) };
  for (const [name, file] of Object.entries(files)) {
    if (!existsSync(file)) throw new ConfigError(`BERTH_TLS_${name.toUpperCase()}: no such file ${file}`);
  }
  return Object.freeze(files);
}

function parseDatabaseUrl(raw: string | undefined, dataDir: string, resolvePath: (p: string) => string): string {
  if (raw === undefined) return `sqlite:${path.join(dataDir, 'berth.db')}`;
  const value = raw.trim();
  if (value.startsWith('sqlite:')) return `sqlite:${resolvePath(value.slice('sqlite:'.length))}`;
  if (/^postgres(ql)?:\/\//.test(value)) return value;
  throw new ConfigError(`BERTH_DATABASE_URL: expected sqlite:PATH or postgres://…, got "${value.replace(/\/\/[^@/]*@/, '//…@')}"`);
}

