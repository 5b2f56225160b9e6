import { isIP } from 'node:net';
import { ConfigError, LOG_LEVELS, type LogLevel } from './config.js';

export function parseListen(setting: string, raw: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(raw.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new ConfigError(`${setting}: expected host:port (like 127.0.0.1:5000 or [::1]:5000), got "${raw}"`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export function parseBoolean(setting: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${setting}: expected true or false, got "${raw}"`);
}

export function parseLogLevel(setting: string, raw: string): LogLevel {
  const value = raw.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new ConfigError(`${setting}: expected one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
}

export function parseHttpUrl(setting: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${setting}: expected an http:// or https:// URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${setting}: expected an http:// or https:// URL, got "${raw}"`);
  }
  if (url.search || url.hash) throw new ConfigError(`${setting}: the URL must not have a query or fragment, got "${raw}"`);
  return url.href.replace(/\/+$/, '');
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Durations like 90s, 15m, 24h, 7d (or plain milliseconds). */
export function parseDuration(setting: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(`${setting}: expected a duration like 30s, 15m, 24h or 7d, got "${raw}"`);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!);
}

export function parseNonEmpty(setting: string, raw: string): string {
  const value = raw.trim();
  if (!value) throw new ConfigError(`${setting}: must not be empty`);
  return value;
}

export function parseAccountId(setting: string, raw: string): string {
  const value = raw.trim();
  if (!/^\d{12}$/.test(value)) throw new ConfigError(`${setting}: expected 12 digits, got "${raw}"`);
  return value;
}

export function parseRegion(setting: string, raw: string): string {
  const value = raw.trim();
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) throw new ConfigError(`${setting}: expected a region like us-east-1, got "${raw}"`);
  return value;
}

/** 32 bytes, base64. The value itself never goes into a message. */
export function parseMasterKey(setting: string, raw: string): Buffer {
  const value = raw.trim();
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32) throw new ConfigError(`${setting}: expected 32 bytes in base64 (openssl rand -base64 32 makes one)`);
  return bytes;
}

export function parseAccessKeyId(setting: string, raw: string): string {
  const value = raw.trim();
  if (!/^[A-Z0-9]{16,128}$/.test(value)) throw new ConfigError(`${setting}: expected 16-128 upper-case letters and digits, got "${raw}"`);
  return value;
}

/** The secret itself never goes into a message. */
export function parseSecretAccessKey(setting: string, raw: string): string {
  const value = raw.trim();
  if (!/^[\x21-\x7e]{16,128}$/.test(value)) throw new ConfigError(`${setting}: expected 16-128 printable characters without spaces`);
  return value;
}

/** A comma-separated list of CIDRs or addresses (`10.0.0.0/8, 192.168.1.7, ::1`). */
export function parseCidrList(setting: string, raw: string): string[] {
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(`${setting}: "${entry}" is not an IP address or CIDR (like 10.0.0.0/8)`);
    }
  }
  return entries;
}
