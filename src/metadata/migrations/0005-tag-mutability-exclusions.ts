import type { Kysely, Migration } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// ECR's *_WITH_EXCLUSION tag mutability: the wildcard filters, as a JSON array of strings (null: none).
export const tagMutabilityExclusions = (): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('repositories').addColumn('image_tag_mutability_exclusions', 'text').execute();
  },
});
