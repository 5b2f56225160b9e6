import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../metadata.js';

// Frozen: never edit a migration that has shipped; add a new one.
// Names are listed and paginated in byte order, as SQLite compares text. A PostgreSQL database's
// default collation may be a locale's (en_US sorts "a-b" after "a_b" and ignores case first), so the
// columns that are sorted or compared with '>' get the "C" collation there. SQLite needs nothing.
const SORTED_COLUMNS: [table: string, column: string][] = [
  ['repositories', 'name'],
  ['tags', 'name'],
  ['users', 'name'],
  ['user_policies', 'name'],
  ['repository_tags', 'key'],
  ['manifests', 'digest'],
];

export const postgresCollation = (dialect: DialectName): Migration => ({
  async up(db: Kysely<unknown>): Promise<void> {
    if (dialect !== 'postgres') return;
    for (const [table, column] of SORTED_COLUMNS) {
      await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type text collate "C"`.execute(db);
    }
  },
});
