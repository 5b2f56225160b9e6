import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../metadata.js';

// Frozen: never edit a migration that has shipped; add a new one.
// Upload rows are written and deleted on every blob push, so each B-tree they live in is a page more
// for every commit to write. The updated_at index goes (the collector scans the few live sessions
// whole), and on SQLite the table is rebuilt WITHOUT ROWID, so a row lives in its primary key's
// B-tree alone instead of in a rowid table and an index on id. Measured here: ~35 µs less per blob.
export const leanUploads = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('uploads_updated_at').execute();
    if (dialect !== 'sqlite') return;
    await sql`create table uploads_lean (
      id text primary key,
      repository_id integer not null references repositories (id) on delete cascade,
      size bigint not null,
      driver_state text not null default '',
      created_at bigint not null,
      updated_at bigint not null
    ) without rowid`.execute(db);
    await sql`insert into uploads_lean (id, repository_id, size, driver_state, created_at, updated_at)
      select id, repository_id, size, driver_state, created_at, updated_at from uploads`.execute(db);
    await sql`drop table uploads`.execute(db);
    await sql`alter table uploads_lean rename to uploads`.execute(db);
  },
});
