import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { withMemorySqlite } from '../../../test/helpers/test-database.js';
import { registryCore } from './0001-registry.js';
import { leanUploads } from './0010-lean-uploads.js';

test('0010 on SQLite: upload sessions survive the rebuild, which drops the index and the rowid and keeps the cascade', async () => {
  await withMemorySqlite(async (db, database) => {
    await registryCore('sqlite').up(db);
    await sql`insert into repositories (id, name, created_at) values (1, 'team/app', 1), (2, 'other', 1)`.execute(db);
    await sql`insert into uploads (id, repository_id, size, driver_state, created_at, updated_at)
      values ('u-1', 1, 42, 'state', 10, 20), ('u-2', 2, 0, '', 30, 30)`.execute(db);

    await leanUploads('sqlite').up(db);

    const rows = database.prepare('select id, repository_id, size, driver_state, created_at, updated_at from uploads order by id').all();
    assert.deepEqual(rows, [
      { id: 'u-1', repository_id: 1, size: 42, driver_state: 'state', created_at: 10, updated_at: 20 },
      { id: 'u-2', repository_id: 2, size: 0, driver_state: '', created_at: 30, updated_at: 30 },
    ]);
    const table = database.prepare("select sql from sqlite_master where type = 'table' and name = 'uploads'").get() as { sql: string };
    assert.match(table.sql, /without rowid/i);
    assert.equal((database.prepare("select count(*) as n from sqlite_master where name = 'uploads_updated_at'").get() as { n: number }).n, 0);
    assert.throws(() => database.prepare("insert into uploads (id, repository_id, size, created_at, updated_at) values ('u-1', 1, 0, 1, 1)").run(), /UNIQUE|PRIMARY KEY/);

    database.prepare('delete from repositories where id = 1').run();
    assert.deepEqual(database.prepare('select id from uploads').all(), [{ id: 'u-2' }]);
  });
});
