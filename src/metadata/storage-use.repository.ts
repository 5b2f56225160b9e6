import type { Db } from './metadata.js';

export interface StorageUse {
  /** Bytes of every stored blob and manifest, each counted once however many repositories share it. */
  readonly totalBytes: number;
  /** Per repository: the blobs it links and its manifests' own bytes (shared content counts in each). */
  readonly repositories: readonly { readonly name: string; readonly bytes: number }[];
}

export async function storageUse(db: Db): Promise<StorageUse> {
  const [total, blobs, manifests] = await Promise.all([
    db.selectFrom('blobs').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.val(0)).as('bytes')).where('state', '=', 'active').executeTakeFirst(),
    db
      .selectFrom('repositories as r')
      .innerJoin('repository_blobs as rb', 'rb.repository_id', 'r.id')
      .innerJoin('blobs as b', 'b.digest', 'rb.digest')
      .select((eb) => ['r.name', eb.fn.sum<number>('b.size').as('bytes')])
      .where('b.state', '=', 'active')
      .groupBy('r.name')
      .execute(),
    db
      .selectFrom('repositories as r')
      .innerJoin('manifests as m', 'm.repository_id', 'r.id')
      .select((eb) => ['r.name', eb.fn.sum<number>('m.size').as('bytes')])
      .groupBy('r.name')
      .execute(),
  ]);
  const byName = new Map<string, number>();
  for (const row of [...blobs, ...manifests]) byName.set(row.name, (byName.get(row.name) ?? 0) + Number(row.bytes));
  return {
    totalBytes: Number(total?.bytes ?? 0),
    repositories: [...byName].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}
