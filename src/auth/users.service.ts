import { randomInt } from 'node:crypto';
import { RegistryError } from '../core/errors.js';
import { findAccessKey, listRootAccessKeys } from '../metadata/access-keys.repository.js';
import type { AccessKeyStatus } from '../metadata/tables.js';
import {
  deleteAccessKeyOfUser,
  deleteUserPolicyRow,
  deleteUserRow,
  findUserByName,
  findUserPolicy,
  insertUser,
  listAccessKeysOfUser,
  listUserPolicyNames,
  listUserRows,
  putUserPolicyRow,
  updateAccessKeyStatus,
  type AccessKeyMetadataRow,
  type UserRow,
} from '../metadata/users.repository.js';
import { issueAccessKey, type Identity, type KeyPair } from './access-keys.service.js';
import { parsePolicy } from './policy/parse-policy.js';

export type { AccessKeyMetadataRow, UserRow };

/** IAM's limit of access keys per user. */
export const MAX_KEYS_PER_USER = 2;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export async function createUser(identity: Identity, name: string, path: string, now: number): Promise<UserRow> {
  return identity.metadata.transaction(async (trx) => {
    if (await findUserByName(trx, name)) throw new RegistryError('ENTITY_EXISTS', `User with name ${name} already exists.`);
    let userId = 'AIDA';
    for (let i = 0; i < 17; i++) userId += BASE32[randomInt(32)];
    const row = await insertUser(trx, { name, user_id: userId, path, created_at: now });
    if (!row) throw new RegistryError('ENTITY_EXISTS', `User with name ${name} already exists.`);
    return row;
  });
}

/** The user, or ENTITY_NOT_FOUND with IAM's message. */
export async function requireUser(identity: Identity, name: string): Promise<UserRow> {
  const user = await findUserByName(identity.metadata.db, name);
  if (!user) throw new RegistryError('ENTITY_NOT_FOUND', `The user with name ${name} cannot be found.`);
  return user;
}

export async function listUsers(identity: Identity, page: { pathPrefix: string; after?: string; limit: number }): Promise<{ users: UserRow[]; more: boolean }> {
  const rows = await listUserRows(identity.metadata.db, { ...page, limit: page.limit + 1 });
  return { users: rows.slice(0, page.limit), more: rows.length > page.limit };
}

/** Deletes the user; DELETE_CONFLICT while it still has access keys or inline policies, as IAM refuses. */
export async function deleteUser(identity: Identity, name: string): Promise<void> {
  await identity.metadata.transaction(async (trx) => {
    const user = await findUserByName(trx, name);
    if (!user) throw new RegistryError('ENTITY_NOT_FOUND', `The user with name ${name} cannot be found.`);
    if ((await listAccessKeysOfUser(trx, user.id)).length > 0) throw new RegistryError('DELETE_CONFLICT', 'Cannot delete entity, must delete access keys first.');
    if ((await listUserPolicyNames(trx, user.id)).length > 0) throw new RegistryError('DELETE_CONFLICT', 'Cannot delete entity, must delete policies first.');
    await deleteUserRow(trx, user.id);
  });
}

/** A new active key for the user (at most two); the secret is returned once and stored sealed. */
export async function createAccessKey(identity: Identity, user: UserRow, now: number): Promise<KeyPair & { createdAt: number }> {
  return identity.metadata.transaction(async (trx) => {
    if ((await listAccessKeysOfUser(trx, user.id)).length >= MAX_KEYS_PER_USER) {
      throw new RegistryError('LIMIT_EXCEEDED', `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    }
    return { ...(await issueAccessKey(identity, trx, user.id, now)), createdAt: now };
  });
}

/** A second key for the account root (IAM allows two), when the caller is the root and names no user. */
export async function createRootAccessKey(identity: Identity, now: number): Promise<KeyPair & { createdAt: number }> {
  return identity.metadata.transaction(async (trx) => {
    if ((await listRootAccessKeys(trx)).length >= MAX_KEYS_PER_USER) {
      throw new RegistryError('LIMIT_EXCEEDED', `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    }
    return { ...(await issueAccessKey(identity, trx, null, now)), createdAt: now };
  });
}

export async function listRootKeys(identity: Identity): Promise<AccessKeyMetadataRow[]> {
  return listRootAccessKeys(identity.metadata.db);
}

export async function listAccessKeys(identity: Identity, user: UserRow): Promise<AccessKeyMetadataRow[]> {
  return listAccessKeysOfUser(identity.metadata.db, user.id);
}

export async function setAccessKeyStatus(identity: Identity, user: UserRow, keyId: string, status: AccessKeyStatus): Promise<void> {
  if (!(await updateAccessKeyStatus(identity.metadata.db, user.id, keyId, status))) throw noSuchKey(keyId);
}

export async function deleteAccessKey(identity: Identity, user: UserRow, keyId: string): Promise<void> {
  if (!(await deleteAccessKeyOfUser(identity.metadata.db, user.id, keyId))) throw noSuchKey(keyId);
}

/** The owner of an access key id, or undefined (root keys and unknown ids alike). */
export async function userIdOfKey(identity: Identity, keyId: string): Promise<number | null | undefined> {
  return (await findAccessKey(identity.metadata.db, keyId))?.user_id;
}

/** Adds or replaces an inline policy; POLICY_MALFORMED with the grammar problem when the document is not one. */
export async function putUserPolicy(identity: Identity, user: UserRow, name: string, document: string): Promise<void> {
  try {
    parsePolicy(document, 'identity');
  } catch (err) {
    const why = err instanceof RegistryError ? /Invalid policy document provided: (.*)'$/.exec(err.message)?.[1] ?? err.message : String(err);
    throw new RegistryError('POLICY_MALFORMED', `The policy failed legacy parsing: ${why}`);
  }
  await putUserPolicyRow(identity.metadata.db, user.id, name, document);
}

export async function getUserPolicy(identity: Identity, user: UserRow, name: string): Promise<string> {
  const document = await findUserPolicy(identity.metadata.db, user.id, name);
  if (document === undefined) throw new RegistryError('ENTITY_NOT_FOUND', `The user policy with name ${name} cannot be found.`);
  return document;
}

export async function listUserPolicies(identity: Identity, user: UserRow): Promise<string[]> {
  return listUserPolicyNames(identity.metadata.db, user.id);
}

export async function deleteUserPolicy(identity: Identity, user: UserRow, name: string): Promise<void> {
  if (!(await deleteUserPolicyRow(identity.metadata.db, user.id, name))) throw new RegistryError('ENTITY_NOT_FOUND', `The user policy with name ${name} cannot be found.`);
}

function noSuchKey(keyId: string): RegistryError {
  return new RegistryError('ENTITY_NOT_FOUND', `The Access Key with id ${keyId} cannot be found.`);
}
