import type { Db } from './metadata.js';
import type { UploadsTable } from './tables.js';

export interface UploadRow {
  id: string;
  repository_id: number;
  repository: string;
  size: number;
  driver_state: string;
  created_at: number;
}

export async function insertUpload(db: Db, row: UploadsTable): Promise<void> {
  await db.insertInto('uploads').values(row).execute();
}

/** The upload when it belongs to the named repository. */
export async function findUpload(db: Db, repository: string, id: string): Promise<UploadRow | undefined> {
  return db
    .selectFrom('uploads as u')
    .innerJoin('repositories as r', 'r.id', 'u.repository_id')
    .select(['u.id', 'u.repository_id', 'r.name as repository', 'u.size', 'u.driver_state', 'u.created_at'])
    .where('r.name', '=', repository)
    .where('u.id', '=', id)
    .executeTakeFirst();
}

/**
 * Records appended bytes, but only if nobody else appended since `expectedSize` was read
 * (two PATCHes racing on one upload): returns false then.
 */
export async function advanceUpload(db: Db, id: string, expectedSize: number, size: number, driverState: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set({ size, driver_state: driverState, updated_at: now })
    .where('id', '=', id)
    .where('size', '=', expectedSize)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes the row; returns whether it was there (false: someone else completed or cancelled it). */
export async function deleteUpload(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('uploads').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
