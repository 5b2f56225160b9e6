import type { Db } from './metadata.js';
import { preparedQuery, runsDirectly } from './prepared-query.js';
import type { ManifestsTable, ReferenceKind } from './tables.js';

export interface ManifestRow {
  digest: string;
  media_type: string;
  size: number;
  subject_digest: string | null;
}

const MANIFEST_COLUMNS = ['m.digest', 'm.media_type', 'm.size', 'm.subject_digest'] as const;

/** The manifest a tag points to in the named repository (the pull hot path: one query). */
export async function findManifestByTag(db: Db, repository: string, tag: string): Promise<ManifestRow | undefined> {
  return (await manifestByTag(db, repository, tag)).rows[0];
}

const manifestByTag = preparedQuery((db, repository: string, tag: string) =>
  db
    .selectFrom('tags as t')
    .innerJoin('repositories as r', 'r.id', 't.repository_id')
    .innerJoin('manifests as m', (join) => join.onRef('m.repository_id', '=', 't.repository_id').onRef('m.digest', '=', 't.manifest_digest'))
    .select(MANIFEST_COLUMNS)
    .where('r.name', '=', repository)
    .where('t.name', '=', tag),
  { cached: true },
);

export async function findManifestByDigest(db: Db, repository: string, digest: string): Promise<ManifestRow | undefined> {
  return (await manifestByDigest(db, repository, digest)).rows[0];
}

const manifestByDigest = preparedQuery((db, repository: string, digest: string) =>
  db
    .selectFrom('manifests as m')
    .innerJoin('repositories as r', 'r.id', 'm.repository_id')
    .select(MANIFEST_COLUMNS)
    .where('r.name', '=', repository)
    .where('m.digest', '=', digest),
  { cached: true },
);

/** Of `digests`, those that are manifests of the repository. */
export async function existingManifestDigests(db: Db, repositoryId: number, digests: string[]): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const rows = await db
    .selectFrom('manifests')
    .select('digest')
    .where('repository_id', '=', repositoryId)
    .where('digest', 'in', digests)
    .execute();
  return new Set(rows.map((row) => row.digest));
}

/** Inserts the manifest with its references; an existing row (same content) is kept. Returns whether it was new. */
export async function insertManifest(
  db: Db,
  row: ManifestsTable,
  references: { digest: string; kind: ReferenceKind }[],
): Promise<boolean> {
  const result = await insertManifestRow(
    db,
    row.repository_id,
    row.digest,
    row.media_type,
    row.size,
    row.artifact_type,
    row.subject_digest,
    row.annotations,
    row.pushed_at,
    row.last_pulled_at,
  );
  const inserted = Number(result.numAffectedRows ?? 0n) > 0;
  if (!inserted || references.length === 0) return inserted;
  if (runsDirectly(db)) {
    for (const ref of references) await insertReference(db, row.repository_id, row.digest, ref.digest, ref.kind);
    return inserted;
  }
  await db
    .insertInto('manifest_references')
    .values(references.map((ref) => ({ repository_id: row.repository_id, manifest_digest: row.digest, child_digest: ref.digest, kind: ref.kind })))
    .onConflict((oc) => oc.columns(['repository_id', 'manifest_digest', 'child_digest']).doNothing())
    .execute();
  return inserted;
}

const insertManifestRow = preparedQuery(
  (
    db,
    repositoryId: number,
    digest: string,
    mediaType: string,
    size: number,
    artifactType: string | null,
    subjectDigest: string | null,
    annotations: string | null,
    pushedAt: number,
    lastPulledAt: number | null,
  ) =>
    db
      .insertInto('manifests')
      .values({
        repository_id: repositoryId,
        digest,
        media_type: mediaType,
        size,
        artifact_type: artifactType,
        subject_digest: subjectDigest,
        annotations,
        pushed_at: pushedAt,
        last_pulled_at: lastPulledAt,
      })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing()),
);

const insertReference = preparedQuery((db, repositoryId: number, manifestDigest: string, childDigest: string, kind: ReferenceKind) =>
  db
    .insertInto('manifest_references')
    .values({ repository_id: repositoryId, manifest_digest: manifestDigest, child_digest: childDigest, kind })
    .onConflict((oc) => oc.columns(['repository_id', 'manifest_digest', 'child_digest']).doNothing()),
);

/** The digests the manifest references (before deleting it, to queue them for review). */
export async function manifestChildren(db: Db, repositoryId: number, digest: string): Promise<{ digest: string; kind: ReferenceKind }[]> {
  const rows = await db
    .selectFrom('manifest_references')
    .select(['child_digest', 'kind'])
    .where('repository_id', '=', repositoryId)
    .where('manifest_digest', '=', digest)
    .execute();
  return rows.map((row) => ({ digest: row.child_digest, kind: row.kind }));
}

/** Deletes the manifest, its references and its tags (cascade); returns whether it existed. */
export async function deleteManifestRow(db: Db, repositoryId: number, digest: string): Promise<boolean> {
  const result = await db
    .deleteFrom('manifests')
    .where('repository_id', '=', repositoryId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface ReferrerRow {
  digest: string;
  media_type: string;
  size: number;
  artifact_type: string | null;
  annotations: string | null;
}

/** Manifests of the repository whose subject is `subject`, optionally of one artifact type, by digest. */
export async function listReferrers(db: Db, repository: string, subject: string, artifactType?: string): Promise<ReferrerRow[]> {
  let query = db
    .selectFrom('manifests as m')
    .innerJoin('repositories as r', 'r.id', 'm.repository_id')
    .select(['m.digest', 'm.media_type', 'm.size', 'm.artifact_type', 'm.annotations'])
    .where('r.name', '=', repository)
    .where('m.subject_digest', '=', subject);
  if (artifactType !== undefined) query = query.where('m.artifact_type', '=', artifactType);
  // Sorted here: ordered by digest in SQL, SQLite reads the repository's every manifest in key order
  // rather than the few referrers through manifests_subject and a sort.
  return (await query.execute()).sort((a, b) => (a.digest < b.digest ? -1 : 1)); // digests are unique
}

/** Manifests of the repository that reference `digest` (as a layer or config, or as an index's child). */
export async function manifestsReferencing(db: Db, repositoryId: number, digest: string, limit: number): Promise<string[]> {
  // `kind` too, though unused: asked only for columns of the primary key, SQLite (which keeps no statistics
  // here) reads the repository's every reference through that key instead of using manifest_references_child.
  const rows = await db
    .selectFrom('manifest_references')
    .select(['manifest_digest', 'kind'])
    .where('repository_id', '=', repositoryId)
    .where('child_digest', '=', digest)
    .limit(limit)
    .execute();
  return rows.map((row) => row.manifest_digest);
}

/** Sets each manifest's last pull time (never back in time). */
export async function recordPullTimes(db: Db, pulls: readonly { repository: string; digest: string; at: number }[]): Promise<void> {
  for (const pull of pulls) {
    await db
      .updateTable('manifests')
      .set({ last_pulled_at: pull.at })
      .where('digest', '=', pull.digest)
      .where('repository_id', '=', (eb) => eb.selectFrom('repositories').select('id').where('name', '=', pull.repository))
      .where((eb) => eb.or([eb('last_pulled_at', 'is', null), eb('last_pulled_at', '<', pull.at)]))
      .execute();
  }
}
