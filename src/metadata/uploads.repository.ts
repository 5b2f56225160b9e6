import type { Db } from './metadata.js';
import { preparedQuery } from './prepared-query.js';
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
  await insertUploadRow(db, row.id, row.repository_id, row.size, row.driver_state, row.created_at, row.updated_at);
}

const insertUploadRow = preparedQuery(
  (db, id: string, repository_id: number, size: number, driver_state: string, created_at: number, updated_at: number) =>
    db.insertInto('uploads').values({ id, repository_id, size, driver_state, created_at, updated_at }),
);

/** The upload when it belongs to the named repository. */
export async function findUpload(db: Db, repository: string, id: string): Promise<UploadRow | undefined> {
  return (await uploadInRepository(db, repository, id)).rows[0];
}

const uploadInRepository = preparedQuery((db, repository: string, id: string) =>
  db
    .selectFrom('uploads as u')
    .innerJoin('repositories as r', 'r.id', 'u.repository_id')
    .select(['u.id', 'u.repository_id', 'r.name as repository', 'u.size', 'u.driver_state', 'u.created_at'])
    .where('r.name', '=', repository)
    .where('u.id', '=', id),
);

/**
 * Records appended bytes, but only if nobody else appended since `expectedSize` was read
 * (two PATCHes racing on one upload): returns false then.
 */
export async function advanceUpload(db: Db, id: string, expectedSize: number, size: number, driverState: string, now: number): Promise<boolean> {
  const result = await updateUploadSize(db, id, expectedSize, size, driverState, now);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

const updateUploadSize = preparedQuery((db, id: string, expectedSize: number, size: number, driverState: string, now: number) =>
  db.updateTable('uploads').set({ size, driver_state: driverState, updated_at: now }).where('id', '=', id).where('size', '=', expectedSize),
);

/** Removes the row; returns whether it was there (false: someone else completed or cancelled it). */
export async function deleteUpload(db: Db, id: string): Promise<boolean> {
  const result = await deleteUploadRow(db, id);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

const deleteUploadRow = preparedQuery((db, id: string) => db.deleteFrom('uploads').where('id', '=', id));
