import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { openSqlite } from './sqlite.js';

test('sqlite: commits reach the database file itself, checkpointed off the event loop, and survive a reopen', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'berth.db');
  const metadata = await openSqlite(file);
  await sql`create table t (n integer)`.execute(metadata.db);
  for (let n = 0; n < 200; n++) await sql`insert into t (n) values (${n})`.execute(metadata.db);

  // The database file alone, without its WAL, has the rows once a checkpoint ran.
  const copy = path.join(dir, 'copy.db');
  let rows = 0;
  for (let tries = 0; tries < 50 && rows < 200; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    copyFileSync(file, copy);
    const alone = new SqliteDatabase(copy, { readonly: true });
    try {
      rows = (alone.prepare('select count(*) as c from t').get() as { c: number }).c;
    } catch {
      rows = 0; // the table itself is not in the file yet
    } finally {
      alone.close();
    }
  }
  assert.equal(rows, 200, 'the worker thread checkpointed the WAL into the database file');

  await metadata.close();
  const reopened = await openSqlite(file);
  t.after(() => reopened.close());
  const { rows: [count] } = await sql<{ c: number }>`select count(*) as c from t`.execute(reopened.db);
  assert.equal(count?.c, 200);
});
