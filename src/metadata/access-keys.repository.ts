import type { Db } from './metadata.js';
import { preparedQuery } from './prepared-query.js';
import type { AccessKeysTable } from './tables.js';

export type AccessKeyRow = AccessKeysTable;

/** The key by id (every SigV4 request looks one up). */
export async function findAccessKey(db: Db, id: string): Promise<AccessKeyRow | undefined> {
  return (await accessKeyById(db, id)).rows[0];
}

const accessKeyById = preparedQuery((db, id: string) =>
  db.selectFrom('access_keys').select(['id', 'user_id', 'secret_sealed', 'status', 'created_at', 'last_used_at']).where('id', '=', id),
);

export async function insertAccessKey(db: Db, row: AccessKeyRow): Promise<void> {
  await db.insertInto('access_keys').values(row).execute();
}

export async function updateAccessKeySecret(db: Db, id: string, secretSealed: string): Promise<void> {
  await db.updateTable('access_keys').set({ secret_sealed: secretSealed, status: 'Active' }).where('id', '=', id).execute();
}

/** Whether the account root has any access key. */
export async function rootHasAccessKey(db: Db): Promise<boolean> {
  const row = await db.selectFrom('access_keys').select('id').where('user_id', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The account root's keys, oldest first. */
export async function listRootAccessKeys(db: Db): Promise<{ id: string; status: AccessKeysTable['status']; created_at: number }[]> {
  return db.selectFrom('access_keys').select(['id', 'status', 'created_at']).where('user_id', 'is', null).orderBy('created_at').orderBy('id').execute();
}
