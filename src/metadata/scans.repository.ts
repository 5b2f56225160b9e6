import type { Db } from './metadata.js';
import type { ImageScansTable } from './tables.js';

export type ImageScanRow = ImageScansTable;

export async function findImageScan(db: Db, repositoryId: number, digest: string): Promise<ImageScanRow | undefined> {
  return db.selectFrom('image_scans').selectAll().where('repository_id', '=', repositoryId).where('manifest_digest', '=', digest).executeTakeFirst();
}

/** The scans of several manifests of a repository (DescribeImages), by digest. */
export async function findImageScans(db: Db, repositoryId: number, digests: readonly string[]): Promise<Map<string, ImageScanRow>> {
  if (digests.length === 0) return new Map();
  const rows = await db.selectFrom('image_scans').selectAll().where('repository_id', '=', repositoryId).where('manifest_digest', 'in', [...digests]).execute();
  return new Map(rows.map((row) => [row.manifest_digest, row]));
}

/** Starts (or restarts) the scan of a manifest: IN_PROGRESS, the earlier results kept until replaced. */
export async function beginImageScan(db: Db, repositoryId: number, digest: string, scanType: string, now: number): Promise<void> {
  await db
    .insertInto('image_scans')
    .values({ repository_id: repositoryId, manifest_digest: digest, status: 'IN_PROGRESS', description: null, scan_type: scanType, started_at: now, completed_at: null, inventory: null, findings: null, vulndb_generation: null })
    .onConflict((oc) => oc.columns(['repository_id', 'manifest_digest']).doUpdateSet({ status: 'IN_PROGRESS', description: null, scan_type: scanType, started_at: now, completed_at: null }))
    .execute();
}

/** Records how a scan ended. */
export async function finishImageScan(
  db: Db,
  repositoryId: number,
  digest: string,
  result: Pick<ImageScanRow, 'status' | 'description' | 'inventory' | 'findings' | 'vulndb_generation' | 'completed_at'>,
): Promise<void> {
  await db.updateTable('image_scans').set(result).where('repository_id', '=', repositoryId).where('manifest_digest', '=', digest).execute();
}

/** Complete scans of the given type whose findings predate vulnerability data `generation` (continuous scanning). */
export async function staleScans(db: Db, scanType: string, generation: number, limit: number): Promise<{ repository_id: number; repository: string; manifest_digest: string; inventory: string }[]> {
  const rows = await db
    .selectFrom('image_scans as s')
    .innerJoin('repositories as r', 'r.id', 's.repository_id')
    .select(['s.repository_id', 'r.name as repository', 's.manifest_digest', 's.inventory'])
    .where('s.status', '=', 'COMPLETE')
    .where('s.scan_type', '=', scanType)
    .where('s.inventory', 'is not', null)
    .where((eb) => eb.or([eb('s.vulndb_generation', 'is', null), eb('s.vulndb_generation', '<', generation)]))
    .orderBy('s.repository_id')
    .orderBy('s.manifest_digest')
    .limit(limit)
    .execute();
  return rows as { repository_id: number; repository: string; manifest_digest: string; inventory: string }[];
}

export async function findLayerFacts(db: Db, digest: string): Promise<string | undefined> {
  return (await db.selectFrom('layer_facts').select('facts').where('layer_digest', '=', digest).executeTakeFirst())?.facts;
}

export async function putLayerFacts(db: Db, digest: string, facts: string, now: number): Promise<void> {
  await db.insertInto('layer_facts').values({ layer_digest: digest, facts, created_at: now }).onConflict((oc) => oc.column('layer_digest').doNothing()).execute();
}

/** Records that a scan's findings are current for vulnerability data `generation` (nothing to re-match). */
export async function markMatchedAt(db: Db, repositoryId: number, digest: string, generation: number): Promise<void> {
  await db.updateTable('image_scans').set({ vulndb_generation: generation }).where('repository_id', '=', repositoryId).where('manifest_digest', '=', digest).execute();
}
