import type { Kysely, Migration } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// A repository's lifecycle policy, and the last preview of one (ECR keeps one preview per repository).
export const lifecycle = (): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('lifecycle_policies')
      .addColumn('repository_id', 'integer', (c) => c.primaryKey().references('repositories.id').onDelete('cascade'))
      .addColumn('policy_text', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('last_evaluated_at', 'bigint')
      .execute();
    await db.schema
      .createTable('lifecycle_previews')
      .addColumn('repository_id', 'integer', (c) => c.primaryKey().references('repositories.id').onDelete('cascade'))
      .addColumn('policy_text', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      // JSON: the images the policy would expire, as LifecycleDecision[].
      .addColumn('result', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});
