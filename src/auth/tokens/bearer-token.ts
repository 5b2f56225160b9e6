import type { ScopeAction } from '../actions.js';
import type { Keyring } from '../keyring.js';

const PREFIX = 'berthb1.';
export const BEARER_TOKEN_TTL_SECONDS = 15 * 60;

/** What a bearer token grants: the principal, and scope actions by repository name. */
export interface BearerClaims {
  readonly principal: string;
  readonly access: Readonly<Record<string, readonly ScopeAction[]>>;
  /** Expiry, epoch milliseconds. */
  readonly expiresAt: number;
}

/** A token for the Docker token flow, signed with the master key's token key (valid on every node). */
export function issueBearerToken(keyring: Keyring, claims: Omit<BearerClaims, 'expiresAt'>, now: number): { token: string; expiresIn: number } {
  const payload = Buffer.from(JSON.stringify({ p: claims.principal, a: claims.access, e: Math.floor(now / 1000) + BEARER_TOKEN_TTL_SECONDS })).toString('base64url');
  return { token: `${PREFIX}${payload}.${keyring.mac(payload).toString('base64url')}`, expiresIn: BEARER_TOKEN_TTL_SECONDS };
}

/** The claims of a bearer token this registry issued and that has not expired, else undefined. */
export function verifyBearerToken(keyring: Keyring, token: string, now: number): BearerClaims | undefined {
  if (!token.startsWith(PREFIX)) return undefined;
  const [payload, mac, extra] = token.slice(PREFIX.length).split('.');
  if (!payload || !mac || extra !== undefined || !keyring.verifyMac(payload, Buffer.from(mac, 'base64url'))) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p?: unknown; a?: unknown; e?: unknown };
    if (typeof claims.p !== 'string' || typeof claims.e !== 'number' || typeof claims.a !== 'object' || claims.a === null) return undefined;
    if (claims.e * 1000 <= now) return undefined;
    return { principal: claims.p, access: claims.a as BearerClaims['access'], expiresAt: claims.e * 1000 };
  } catch {
    return undefined;
  }
}
