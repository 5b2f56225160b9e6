import { sql, type Kysely, type Migration } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// From now on an uploaded blob waits for review from the start (collected if no manifest uses it within
// the grace period). Blobs stored before had no review date: each is reviewed once, a day after this
// migration (the default grace period), and kept when a manifest references it.
export const reviewUnreferencedBlobs = (): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    const inADay = Date.now() + 24 * 3600 * 1000;
    await sql`update blobs set review_after = ${inADay} where review_after is null and state = 'active'`.execute(db);
  },
});
