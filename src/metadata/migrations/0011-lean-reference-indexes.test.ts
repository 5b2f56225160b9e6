import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { withMemorySqlite } from '../../../test/helpers/test-database.js';
import { registryCore } from './0001-registry.js';
import { leanReferenceIndexes } from './0011-lean-reference-indexes.js';

test('0011 on SQLite: one index on referenced digests and a subject index of referrers only, still used by the lookups', async () => {
  await withMemorySqlite(async (db, database) => {
    await registryCore('sqlite').up(db);
    await sql`insert into repositories (id, name, created_at) values (1, 'team/app', 1)`.execute(db);
    await sql`insert into manifests (repository_id, digest, media_type, size, subject_digest, pushed_at)
      values (1, 'sha256:m1', 'x', 1, null, 1), (1, 'sha256:sig', 'x', 1, 'sha256:m1', 1)`.execute(db);
    await sql`insert into manifest_references (repository_id, manifest_digest, child_digest, kind) values (1, 'sha256:m1', 'sha256:layer', 'blob')`.execute(db);

    await leanReferenceIndexes().up(db);

    const indexes = database.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name in ('manifests', 'manifest_references') and sql is not null order by name").all();
    assert.deepEqual(
      indexes.map((row) => (row as { name: string }).name),
      ['manifest_references_child', 'manifests_subject'],
    );
    assert.match((indexes[1] as { sql: string }).sql, /where\s+"?subject_digest"?\s+is not null/i);
    const plan = (query: string) => JSON.stringify(database.prepare(`explain query plan ${query}`).all());
    // The shapes of manifestsReferencing, the collector's check and the lifecycle's.
    assert.match(plan("select manifest_digest, kind from manifest_references where repository_id = 1 and child_digest = 'sha256:layer' limit 1"), /INDEX manifest_references_child \(child_digest=\? AND repository_id=\?\)/);
    assert.match(plan("select distinct child_digest from manifest_references where child_digest in ('sha256:layer', 'sha256:x')"), /INDEX manifest_references_child \(child_digest=\?\)/);
    assert.match(plan("select repository_id, manifest_digest, child_digest from manifest_references where child_digest in ('sha256:layer', 'sha256:x')"), /INDEX manifest_references_child \(child_digest=\?\)/);
    assert.match(plan("select m.digest, m.media_type from manifests as m inner join repositories as r on r.id = m.repository_id where r.name = 'team/app' and m.subject_digest = 'sha256:m1'"), /INDEX manifests_subject \(repository_id=\? AND subject_digest=\?\)/);
    assert.deepEqual(database.prepare("select digest from manifests where repository_id = 1 and subject_digest = 'sha256:m1'").all(), [{ digest: 'sha256:sig' }]);
    assert.deepEqual(database.prepare("select manifest_digest, kind from manifest_references where repository_id = 1 and child_digest = 'sha256:layer'").all(), [{ manifest_digest: 'sha256:m1', kind: 'blob' }]);
  });
});
