import type { Db } from './metadata.js';
import type { LifecyclePoliciesTable, LifecyclePreviewsTable } from './tables.js';

export async function findLifecyclePolicy(db: Db, repositoryId: number): Promise<LifecyclePoliciesTable | undefined> {
  return db.selectFrom('lifecycle_policies').selectAll().where('repository_id', '=', repositoryId).executeTakeFirst();
}

export async function putLifecyclePolicyRow(db: Db, repositoryId: number, text: string, now: number): Promise<void> {
  await db
    .insertInto('lifecycle_policies')
    .values({ repository_id: repositoryId, policy_text: text, updated_at: now, last_evaluated_at: null })
    .onConflict((oc) => oc.column('repository_id').doUpdateSet({ policy_text: text, updated_at: now }))
    .execute();
}

/** Removes the policy; returns it, or undefined when there was none. */
export async function deleteLifecyclePolicyRow(db: Db, repositoryId: number): Promise<LifecyclePoliciesTable | undefined> {
  return db.deleteFrom('lifecycle_policies').where('repository_id', '=', repositoryId).returningAll().executeTakeFirst();
}

export async function markLifecycleEvaluated(db: Db, repositoryId: number, at: number): Promise<void> {
  await db.updateTable('lifecycle_policies').set({ last_evaluated_at: at }).where('repository_id', '=', repositoryId).execute();
}

/** Names of the repositories that have a lifecycle policy, in byte order. */
export async function repositoriesWithLifecyclePolicy(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('lifecycle_policies as p').innerJoin('repositories as r', 'r.id', 'p.repository_id').select('r.name').orderBy('r.name').execute();
  return rows.map((row) => row.name);
}

export async function putLifecyclePreview(db: Db, row: LifecyclePreviewsTable): Promise<void> {
  await db
    .insertInto('lifecycle_previews')
    .values(row)
    .onConflict((oc) => oc.column('repository_id').doUpdateSet({ policy_text: row.policy_text, status: row.status, result: row.result, started_at: row.started_at }))
    .execute();
}

export async function findLifecyclePreview(db: Db, repositoryId: number): Promise<LifecyclePreviewsTable | undefined> {
  return db.selectFrom('lifecycle_previews').selectAll().where('repository_id', '=', repositoryId).executeTakeFirst();
}
