import type { Kysely, Migration } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// The offline vulnerability database: OSV records as imported (`berth vulndb import`), and an index of
// the packages each one affects so that a scan looks advisories up by (ecosystem, package name).
// The database-wide state (generation, last import) is the registry setting 'vulndb'.
export const vulndb = (): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('vuln_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // OSV's `modified` (RFC 3339): a record replaces the stored one only when it is newer.
      .addColumn('modified', 'text', (c) => c.notNull())
      // OSV's `withdrawn` time; a withdrawn record matches nothing.
      .addColumn('withdrawn', 'text')
      // The whole record, as JSON text.
      .addColumn('record', 'text', (c) => c.notNull())
      // The vulnerability database generation of the import that added or last changed the record.
      .addColumn('generation', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('vuln_records_generation').on('vuln_records').column('generation').execute();

    // One row per package a record affects; PyPI names PEP 503-normalised.
    await db.schema
      .createTable('vuln_packages')
      .addColumn('record_id', 'text', (c) => c.notNull().references('vuln_records.id').onDelete('cascade'))
      .addColumn('ecosystem', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('vuln_packages_pk', ['record_id', 'ecosystem', 'name'])
      .execute();
    await db.schema.createIndex('vuln_packages_lookup').on('vuln_packages').columns(['ecosystem', 'name', 'record_id']).execute();
  },
});
