import type { Db } from './metadata.js';
import { preparedQuery } from './prepared-query.js';
import type { AccessKeyStatus } from './tables.js';

export interface UserRow {
  id: number;
  name: string;
  user_id: string;
  path: string;
  created_at: number;
}

const USER_COLUMNS = ['id', 'name', 'user_id', 'path', 'created_at'] as const;

/** Inserts the user; undefined when the name is taken. */
export async function insertUser(db: Db, user: Omit<UserRow, 'id'>): Promise<UserRow | undefined> {
  const result = await db.insertInto('users').values(user).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
  return findUserByName(db, user.name);
}

/** By name (IAM user names compare case-insensitively, as IAM does). */
export async function findUserByName(db: Db, name: string): Promise<UserRow | undefined> {
  return (await userByName(db, name.toLowerCase())).rows[0];
}

const userByName = preparedQuery((db, lowerName: string) => db.selectFrom('users').select(USER_COLUMNS).where((eb) => eb(eb.fn('lower', ['name']), '=', lowerName)));

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return (await userById(db, id)).rows[0];
}

const userById = preparedQuery((db, id: number) => db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id));

/** Users in name order after `after`, whose path starts with `pathPrefix`. */
export async function listUserRows(db: Db, page: { pathPrefix: string; after?: string; limit: number }): Promise<UserRow[]> {
  // A prefix compare, not LIKE: '_' and '%' are ordinary characters in IAM paths, and SQLite's LIKE has no escape by default.
  let query = db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where((eb) => eb(eb.fn('substr', ['path', eb.val(1), eb.val(page.pathPrefix.length)]), '=', page.pathPrefix))
    .orderBy('name')
    .limit(page.limit);
  if (page.after !== undefined) query = query.where('name', '>', page.after);
  return query.execute();
}

export async function deleteUserRow(db: Db, id: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}

export interface AccessKeyMetadataRow {
  id: string;
  status: AccessKeyStatus;
  created_at: number;
}

export async function listAccessKeysOfUser(db: Db, userId: number): Promise<AccessKeyMetadataRow[]> {
  return db.selectFrom('access_keys').select(['id', 'status', 'created_at']).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
}

/** Sets the key's status; returns whether the user has that key. */
export async function updateAccessKeyStatus(db: Db, userId: number, keyId: string, status: AccessKeyStatus): Promise<boolean> {
  const result = await db.updateTable('access_keys').set({ status }).where('user_id', '=', userId).where('id', '=', keyId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteAccessKeyOfUser(db: Db, userId: number, keyId: string): Promise<boolean> {
  const result = await db.deleteFrom('access_keys').where('user_id', '=', userId).where('id', '=', keyId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function putUserPolicyRow(db: Db, userId: number, name: string, document: string): Promise<void> {
  await db
    .insertInto('user_policies')
    .values({ user_id: userId, name, document })
    .onConflict((oc) => oc.columns(['user_id', 'name']).doUpdateSet({ document }))
    .execute();
}

export async function findUserPolicy(db: Db, userId: number, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('user_policies').select('document').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
  return row?.document;
}

/** The user's inline policy documents (every request of the user evaluates them). */
export async function userPolicyDocuments(db: Db, userId: number): Promise<string[]> {
  return (await policiesOfUser(db, userId)).rows.map((row) => row.document);
}

const policiesOfUser = preparedQuery((db, userId: number) => db.selectFrom('user_policies').select('document').where('user_id', '=', userId));

export async function listUserPolicyNames(db: Db, userId: number): Promise<string[]> {
  return (await db.selectFrom('user_policies').select('name').where('user_id', '=', userId).orderBy('name').execute()).map((row) => row.name);
}

export async function deleteUserPolicyRow(db: Db, userId: number, name: string): Promise<boolean> {
  const result = await db.deleteFrom('user_policies').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
