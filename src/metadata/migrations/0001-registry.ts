import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../metadata.js';
import { autoIncrementId } from './column-types.js';

// Frozen: never edit a migration that has shipped; add a new one.
export const registryCore = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('repositories')
      .addColumn('id', 'integer', autoIncrementId(dialect))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('blobs')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('review_after', 'bigint')
      .execute();
    await db.schema.createIndex('blobs_review_after').on('blobs').column('review_after').execute();

    await db.schema
      .createTable('repository_blobs')
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('digest', 'text', (c) => c.notNull().references('blobs.digest'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('repository_blobs_pk', ['repository_id', 'digest'])
      .execute();
    await db.schema.createIndex('repository_blobs_digest').on('repository_blobs').column('digest').execute();

    await db.schema
      .createTable('manifests')
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('artifact_type', 'text')
      .addColumn('subject_digest', 'text')
      .addColumn('annotations', 'text')
      .addColumn('pushed_at', 'bigint', (c) => c.notNull())
      .addColumn('last_pulled_at', 'bigint')
      .addPrimaryKeyConstraint('manifests_pk', ['repository_id', 'digest'])
      .execute();
    await db.schema.createIndex('manifests_subject').on('manifests').columns(['repository_id', 'subject_digest']).execute();

    await db.schema
      .createTable('manifest_references')
      .addColumn('repository_id', 'integer', (c) => c.notNull())
      .addColumn('manifest_digest', 'text', (c) => c.notNull())
      .addColumn('child_digest', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('manifest_references_pk', ['repository_id', 'manifest_digest', 'child_digest'])
      .addForeignKeyConstraint('manifest_references_manifest', ['repository_id', 'manifest_digest'], 'manifests', ['repository_id', 'digest'], (c) => c.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('manifest_references_child').on('manifest_references').columns(['repository_id', 'child_digest']).execute();
    await db.schema.createIndex('manifest_references_child_any').on('manifest_references').column('child_digest').execute();

    await db.schema
      .createTable('tags')
      .addColumn('repository_id', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('manifest_digest', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('tags_pk', ['repository_id', 'name'])
      .addForeignKeyConstraint('tags_manifest', ['repository_id', 'manifest_digest'], 'manifests', ['repository_id', 'digest'], (c) => c.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('tags_manifest').on('tags').columns(['repository_id', 'manifest_digest']).execute();

    await db.schema
      .createTable('uploads')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('driver_state', 'text', (c) => c.notNull().defaultTo(sql`''`))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('uploads_updated_at').on('uploads').column('updated_at').execute();
  },
});
