import type { Db } from './metadata.js';
import { preparedQuery } from './prepared-query.js';

export async function findRegistrySetting(db: Db, name: string): Promise<string | undefined> {
  return (await registrySetting(db, name)).rows[0]?.value;
}

const registrySetting = preparedQuery((db, name: string) => db.selectFrom('registry_settings').select('value').where('name', '=', name), { cached: true });

export async function putRegistrySetting(db: Db, name: string, value: string, now: number): Promise<void> {
  await db
    .insertInto('registry_settings')
    .values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** Removes the setting; returns its value, or undefined when it was not set. */
export async function deleteRegistrySetting(db: Db, name: string): Promise<string | undefined> {
  const row = await db.deleteFrom('registry_settings').where('name', '=', name).returning('value').executeTakeFirst();
  return row?.value;
}
