import type { Db } from './metadata.js';

export interface StorageUse {
  /** Bytes of every stored blob and manifest, each counted once however many repositories share it. */
  readonly totalBytes: number;
  /** Per repository: the blobs it links and its manifests' own bytes (shared content counts in each). */
  readonly repositories: readonly { readonly name: string; readonly bytes: number }[];
}

export async function storageUse(db: Db): Promise<StorageUse> {
  const [total, byName] = await Promise.all([
    db.selectFrom('blobs').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.val(0)).as('bytes')).where('state', '=', 'active').executeTakeFirst(),
    repositoryBytes(db),
  ]);
  return {
    totalBytes: Number(total?.bytes ?? 0),
    repositories: [...byName].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** Bytes each repository uses (all, or those named), by name. */
export async function repositoryBytes(db: Db, names?: readonly string[]): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  if (names?.length === 0) return byName;
  let blobs = db
    .selectFrom('repositories as r')
    .innerJoin('repository_blobs as rb', 'rb.repository_id', 'r.id')
    .innerJoin('blobs as b', 'b.digest', 'rb.digest')
    .select((eb) => ['r.name', eb.fn.sum<number>('b.size').as('bytes')])
    .where('b.state', '=', 'active')
    .groupBy('r.name');
  let manifests = db
    .selectFrom('repositories as r')
    .innerJoin('manifests as m', 'm.repository_id', 'r.id')
    .select((eb) => ['r.name', eb.fn.sum<number>('m.size').as('bytes')])
    .groupBy('r.name');
  if (names) {
    blobs = blobs.where('r.name', 'in', [...names]);
    manifests = manifests.where('r.name', 'in', [...names]);
  }
  for (const row of [...(await blobs.execute()), ...(await manifests.execute())]) byName.set(row.name, (byName.get(row.name) ?? 0) + Number(row.bytes));
  return byName;
}
