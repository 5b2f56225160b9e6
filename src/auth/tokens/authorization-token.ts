import type { Keyring } from '../keyring.js';

const PREFIX = 'berth1.';
export const AUTHORIZATION_TOKEN_TTL_MS = 12 * 3600 * 1000;

/** What a registry password (the secret half of an authorization token) says, once verified. */
export interface PasswordClaims {
  /** The principal's ARN. */
  readonly principal: string;
  /** Expiry, epoch milliseconds. */
  readonly expiresAt: number;
}

/**
 * GetAuthorizationToken's token: base64("AWS:<password>"), where the password is a claim signed with
 * the master key's token key, so every node that shares the master key accepts it.
 */
export function issueAuthorizationToken(keyring: Keyring, principalArn: string, now: number): { token: string; expiresAt: number } {
  const expiresAt = now + AUTHORIZATION_TOKEN_TTL_MS;
  const payload = Buffer.from(JSON.stringify({ p: principalArn, e: Math.floor(expiresAt / 1000) })).toString('base64url');
  const password = `${PREFIX}${payload}.${keyring.mac(payload).toString('base64url')}`;
  return { token: Buffer.from(`AWS:${password}`).toString('base64'), expiresAt: Math.floor(expiresAt / 1000) * 1000 };
}

/** The claims of a password this registry issued and that has not expired, else undefined. */
export function verifyPassword(keyring: Keyring, password: string, now: number): PasswordClaims | undefined {
  if (!password.startsWith(PREFIX)) return undefined;
  const [payload, mac, extra] = password.slice(PREFIX.length).split('.');
  if (!payload || !mac || extra !== undefined || !keyring.verifyMac(payload, Buffer.from(mac, 'base64url'))) return undefined;
  let claims: { p?: unknown; e?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p?: unknown; e?: unknown };
  } catch {
    return undefined;
  }
  if (typeof claims.p !== 'string' || typeof claims.e !== 'number' || claims.e * 1000 <= now) return undefined;
  return { principal: claims.p, expiresAt: claims.e * 1000 };
}
