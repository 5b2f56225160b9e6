import { randomBytes, randomInt } from 'node:crypto';
import { RegistryError } from '../core/errors.js';
import { findAccessKey, insertAccessKey, rootHasAccessKey, updateAccessKeySecret } from '../metadata/access-keys.repository.js';
import type { Db, Metadata } from '../metadata/metadata.js';
import type { Keyring } from './keyring.js';
import { findUserById } from '../metadata/users.repository.js';
import { rootPrincipal, userPrincipal, type Principal } from './principal.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface KeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Identity's view of the world: the database, the keyring and the account. */
export interface Identity {
  readonly metadata: Metadata;
  readonly keyring: Keyring;
  readonly accountId: string;
}

/** A new access key id in AWS's shape: AKIA and 16 base32 characters. */
export function newAccessKeyId(): string {
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += BASE32[randomInt(32)];
  return id;
}

/** 40 characters from AWS's secret alphabet. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/**
 * Makes sure the account root has a key. With `configured` (BERTH_ADMIN_ACCESS_KEY_ID and _SECRET),
 * that key exists for the root afterwards (idempotent; a changed secret replaces the stored one).
 * Without it, a key is generated when the root has none, and returned so the caller can hand it over;
 * otherwise undefined. One transaction, so two nodes starting at once make one key.
 */
export async function bootstrapRootKey(identity: Identity, configured: KeyPair | undefined, now: number): Promise<KeyPair | undefined> {
  return identity.metadata.transaction(async (trx) => {
    if (configured) {
      const existing = await findAccessKey(trx, configured.accessKeyId);
      if (existing && existing.user_id !== null) {
        throw new RegistryError('INVALID_PARAMETER', `BERTH_ADMIN_ACCESS_KEY_ID: ${configured.accessKeyId} already belongs to a user, not to the account root`);
      }
      const sealed = identity.keyring.seal(configured.secretAccessKey, configured.accessKeyId);
      if (!existing) await insertAccessKey(trx, { id: configured.accessKeyId, user_id: null, secret_sealed: sealed, status: 'Active', created_at: now, last_used_at: null });
      else if (identity.keyring.unseal(existing.secret_sealed, existing.id) !== configured.secretAccessKey || existing.status !== 'Active') {
        await updateAccessKeySecret(trx, existing.id, sealed);
      }
      return undefined;
    }
    if (await rootHasAccessKey(trx)) return undefined;
    return issueAccessKey(identity, trx, null, now);
  });
}

/** Makes a new active key for the user (null: the account root) in `db`, its secret stored sealed; returns the pair. */
export async function issueAccessKey(identity: Identity, db: Db, userId: number | null, now: number): Promise<KeyPair> {
  const pair = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey() };
  await insertAccessKey(db, { id: pair.accessKeyId, user_id: userId, secret_sealed: identity.keyring.seal(pair.secretAccessKey, pair.accessKeyId), status: 'Active', created_at: now, last_used_at: null });
  return pair;
}

/** The secret and owner of an active key, or undefined for an unknown or inactive one. */
export async function activeKey(identity: Identity, accessKeyId: string): Promise<{ secret: string; principal: Principal } | undefined> {
  if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) return undefined;
  const row = await findAccessKey(identity.metadata.db, accessKeyId);
  if (!row || row.status !== 'Active') return undefined;
  const secret = identity.keyring.unseal(row.secret_sealed, row.id);
  if (row.user_id === null) return { secret, principal: rootPrincipal(identity.accountId) };
  const user = await findUserById(identity.metadata.db, row.user_id);
  return user ? { secret, principal: userPrincipal(identity.accountId, user) } : undefined;
}
