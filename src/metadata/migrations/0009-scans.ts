import type { Kysely, Migration } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Image scans: one result per manifest of a repository (its status, the inventory it found and the
// findings), and the per-layer facts the scanner keeps so that a shared layer is read once.
export const scans = (): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('image_scans')
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('manifest_digest', 'text', (c) => c.notNull())
      // IN_PROGRESS, COMPLETE, FAILED, UNSUPPORTED_IMAGE
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      // BASIC or ENHANCED: the findings' shape
      .addColumn('scan_type', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      // JSON: the image's Inventory (re-matched without reading layers when the vulnerability data changes)
      .addColumn('inventory', 'text')
      // JSON: the findings
      .addColumn('findings', 'text')
      .addColumn('vulndb_generation', 'integer')
      .addPrimaryKeyConstraint('image_scans_pk', ['repository_id', 'manifest_digest'])
      .execute();
    await db.schema
      .createTable('layer_facts')
      .addColumn('layer_digest', 'text', (c) => c.primaryKey())
      .addColumn('facts', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});
