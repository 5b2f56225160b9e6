import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../metadata.js';
import { autoIncrementId } from './column-types.js';

// Frozen: never edit a migration that has shipped; add a new one.
// Identity (users, access keys, inline policies), ECR's repository settings, resource tags and policies.
export const identityAndSettings = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', 'integer', autoIncrementId(dialect))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'text', (c) => c.notNull().unique())
      .addColumn('path', 'text', (c) => c.notNull().defaultTo('/'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    // user_id null: the account root's key. The secret is sealed with the master key.
    await db.schema
      .createTable('access_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('Active'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('access_keys_user').on('access_keys').column('user_id').execute();

    await db.schema
      .createTable('user_policies')
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_policies_pk', ['user_id', 'name'])
      .execute();

    await db.schema.alterTable('repositories').addColumn('image_tag_mutability', 'text', (c) => c.notNull().defaultTo('MUTABLE')).execute();
    await db.schema.alterTable('repositories').addColumn('scan_on_push', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('repositories').addColumn('encryption_type', 'text', (c) => c.notNull().defaultTo('AES256')).execute();
    await db.schema.alterTable('repositories').addColumn('kms_key', 'text').execute();
    await db.schema.alterTable('repositories').addColumn('policy', 'text').execute();

    await db.schema
      .createTable('repository_tags')
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('repository_tags_pk', ['repository_id', 'key'])
      .execute();

    // Registry-wide settings by name (the registry policy, and later the replication and scanning configuration).
    await db.schema
      .createTable('registry_settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});
