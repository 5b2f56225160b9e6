import assert from 'node:assert/strict';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { SqliteReadCache } from './sqlite-read-cache.js';

/** A cache over a small schema: repositories, their tags (deleted with them), and unrelated blobs. */
function cacheOverSchema() {
  const database = new SqliteDatabase(':memory:');
  database.pragma('foreign_keys = ON');
  database.exec(`
    create table repositories (id integer primary key, name text unique, policy text);
    create table tags (repository_id integer references repositories (id) on delete cascade, name text);
    create table blobs (digest text primary key);
    insert into repositories (id, name, policy) values (1, 'team/app', 'first');
    insert into tags values (1, 'latest');
  `);
  const cache = new SqliteReadCache(database);
  let runs = 0;
  /** A cached read, through the cache as the dialect makes it; counts the reads that reached SQLite. */
  const read = (sql: string, ...parameters: unknown[]) =>
    cache.read(sql, parameters, () => {
      runs++;
      return database.prepare(sql).all(parameters);
    });
  /** A write on the connection, announced first as the dialect announces it. */
  const write = (sql: string, ...parameters: unknown[]) => {
    cache.noteWrite(sql);
    database.prepare(sql).run(parameters);
  };
  return { database, read, write, runs: () => runs };
}

const POLICY = 'select "policy" from "repositories" where "name" = ?';
const TAGS = 'select "t"."name" from "tags" as "t" inner join "repositories" as "r" on "r"."id" = "t"."repository_id" where "r"."name" = ?';

test('sqlite read cache: a write to another table keeps a lookup cached; a write to its table is seen at once', () => {
  const c = cacheOverSchema();
  assert.deepEqual(c.read(POLICY, 'team/app'), [{ policy: 'first' }]);
  c.write('insert into "blobs" ("digest") values (?)', 'sha256:aa');
  assert.deepEqual(c.read(POLICY, 'team/app'), [{ policy: 'first' }]);
  assert.equal(c.runs(), 1, 'the insert into blobs left the policy lookup cached');

  c.write('update "repositories" set "policy" = ? where "name" = ?', 'second', 'team/app');
  assert.deepEqual(c.read(POLICY, 'team/app'), [{ policy: 'second' }], 'its own table written: read again');
  c.write('insert into "repositories" ("id", "name", "policy") values (?, ?, ?) on conflict ("id") do update set "policy" = "excluded"."policy"', 1, 'team/app', 'third');
  assert.deepEqual(c.read(POLICY, 'team/app'), [{ policy: 'third' }], 'an upsert too');
  assert.equal(c.runs(), 3);
});

test('sqlite read cache: a delete empties what reads the tables its foreign keys cascade to', () => {
  const c = cacheOverSchema();
  assert.deepEqual(c.read('select "name" from "tags" where "repository_id" = ?', 1), [{ name: 'latest' }]);
  assert.deepEqual(c.read(TAGS, 'team/app'), [{ name: 'latest' }]);
  c.write('delete from "repositories" where "name" = ?', 'team/app');
  assert.deepEqual(c.read('select "name" from "tags" where "repository_id" = ?', 1), [], 'the cascade took the tags');
  assert.deepEqual(c.read(TAGS, 'team/app'), []);
});

test('sqlite read cache: a write it cannot read (DDL) empties everything', () => {
  const c = cacheOverSchema();
  c.read(POLICY, 'team/app');
  c.write('create table other (x integer)');
  c.read(POLICY, 'team/app');
  assert.equal(c.runs(), 2, 'read again after the DDL');
});
