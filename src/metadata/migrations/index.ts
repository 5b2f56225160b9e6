import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DialectName } from '../metadata.js';
import { registryCore } from './0001-registry.js';
import { identityAndSettings } from './0002-identity.js';
import { postgresCollation } from './0003-postgres-collation.js';
import { jobs } from './0004-jobs.js';
import { tagMutabilityExclusions } from './0005-tag-mutability-exclusions.js';
import { reviewUnreferencedBlobs } from './0006-review-unreferenced-blobs.js';
import { lifecycle } from './0007-lifecycle.js';
import { vulndb } from './0008-vulndb.js';
import { scans } from './0009-scans.js';
import { leanUploads } from './0010-lean-uploads.js';
import { leanReferenceIndexes } from './0011-lean-reference-indexes.js';

/** Every migration, in order, provided in code (no directory scanning). */
function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-registry': registryCore(dialect),
    '0002-identity': identityAndSettings(dialect),
    '0003-postgres-collation': postgresCollation(dialect),
    '0004-jobs': jobs(dialect),
    '0005-tag-mutability-exclusions': tagMutabilityExclusions(),
    '0006-review-unreferenced-blobs': reviewUnreferencedBlobs(),
    '0007-lifecycle': lifecycle(),
    '0008-vulndb': vulndb(),
    '0009-scans': scans(),
    '0010-lean-uploads': leanUploads(dialect),
    '0011-lean-reference-indexes': leanReferenceIndexes(),
  };
}

/** The names of every migration, in the order they apply. */
export function migrationNames(): string[] {
  return Object.keys(migrations('sqlite')).sort();
}

/** Brings the schema to the newest migration; throws naming the migration that failed. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const name = failed ? ` ${failed.migrationName}` : '';
    throw new Error(`database migration${name} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
