import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { findRepositoryPolicyByName } from '../repository-settings.repository.js';
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

test('sqlite: a read while a transaction is open never sees its uncommitted rows: it waits, and a rollback leaves nothing', async (t) => {
  const metadata = await openSqlite(':memory:');
  t.after(() => metadata.close());
  const name = 'team/app';
  const policy = '{"Version":"2012-10-17","Statement":[]}';
  let inserted!: () => void;
  const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
  let rollBack!: () => void;
  const held = new Promise<void>((resolve) => (rollBack = resolve));
  const writing = metadata.transaction(async (trx) => {
    await trx.insertInto('repositories').values({ name, created_at: 1, policy }).execute();
    inserted();
    await held;
    throw new Error('rolled back');
  });
  await insertedYet;
  let answered = false;
  const reading = findRepositoryPolicyByName(metadata.db, name).then((p) => ((answered = true), p));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(answered, false, 'the read waits for the transaction');
  rollBack();
  await assert.rejects(writing, /rolled back/);
  assert.equal(await reading, undefined, 'the rolled-back repository was never seen');

  await metadata.transaction((trx) => trx.insertInto('repositories').values({ name, created_at: 2, policy }).execute());
  assert.equal(await findRepositoryPolicyByName(metadata.db, name), policy, 'committed, it is seen at once');
});

test('sqlite: a cached lookup sees every change: a write of this server and a commit by another process on the same file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-sqlite-'));
  const file = path.join(dir, 'berth.db');
  const metadata = await openSqlite(file);
  // Closed before the folder goes: the checkpointer thread may still be writing the WAL's files there.
  t.after(async () => {
    await metadata.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const name = 'team/app';
  await metadata.db.insertInto('repositories').values({ name, created_at: 1, policy: 'first' }).execute();
  assert.equal(await findRepositoryPolicyByName(metadata.db, name), 'first');
  assert.equal(await findRepositoryPolicyByName(metadata.db, name), 'first', 'asked again (a cache hit)');

  await metadata.db.updateTable('repositories').set({ policy: 'second' }).where('name', '=', name).execute();
  assert.equal(await findRepositoryPolicyByName(metadata.db, name), 'second', 'its own write');
  await metadata.transaction((trx) => trx.updateTable('repositories').set({ policy: 'third' }).where('name', '=', name).execute());
  assert.equal(await findRepositoryPolicyByName(metadata.db, name), 'third', 'its own transaction');

  // As a `berth` command run beside the server would: another connection, on the same file.
  const other = new SqliteDatabase(file);
  try {
    // Another process's commit is seen within a millisecond (the cache asks SQLite at most that often).
    const aMomentLater = () => new Promise((resolve) => setTimeout(resolve, 5));
    other.prepare('update repositories set policy = ? where name = ?').run('fourth', name);
    await aMomentLater();
    assert.equal(await findRepositoryPolicyByName(metadata.db, name), 'fourth', "another connection's commit");
    other.prepare('delete from repositories where name = ?').run(name);
    await aMomentLater();
    assert.equal(await findRepositoryPolicyByName(metadata.db, name), undefined, 'deleted elsewhere, it is gone here too');
  } finally {
    other.close();
  }
});
