import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { backgroundContext } from '../src/core/context.js';
import { isRegistryError } from '../src/core/errors.js';
import { openPostgres } from '../src/metadata/dialects/postgres.js';
import type { Metadata } from '../src/metadata/metadata.js';
import { migrationNames } from '../src/metadata/migrations/index.js';
import { putManifest, resolveManifest } from '../src/registry/manifests.service.js';
import { createRegistry, type Registry } from '../src/registry/registry.js';
import { createRepository } from '../src/registry/repositories.service.js';
import { listTags } from '../src/registry/tags.service.js';
import { uploadWhole } from '../src/registry/uploads.service.js';
import type { BlobDriver } from '../src/storage/blob-driver.js';
import { MemoryBlobDriver } from '../src/storage/memory/memory-driver.js';
import { image, type BuiltImage } from './helpers/images.js';
import { TEST_DATABASE_URL, throwawayPostgres, type ThrowawayDatabase } from './helpers/test-database.js';

const ctx = backgroundContext();
const skip = TEST_DATABASE_URL ? false : 'BERTH_TEST_DATABASE_URL is not set';

/** Two registry nodes, each with its own connection pool, over one database and one blob store. */
async function twoNodes(database: ThrowawayDatabase): Promise<{ nodes: [Registry, Registry]; close(): Promise<void> }> {
  const storage = new MemoryBlobDriver();
  const metadata: Metadata[] = await Promise.all([openPostgres(database.url), openPostgres(database.url)]);
  const node = (m: Metadata, s: BlobDriver): Registry =>
    createRegistry({ metadata: m, storage: s, clock: { now: () => new Date() }, settings: { createOnPush: true, gcGraceMs: 60_000 } });
  return {
    nodes: [node(metadata[0]!, storage), node(metadata[1]!, storage)],
    close: async () => void (await Promise.all(metadata.map((m) => m.close()))),
  };
}

async function pushImage(registry: Registry, repository: string, tag: string, built: BuiltImage): Promise<string> {
  for (const blob of [built.config, ...built.layers]) {
    await uploadWhole(registry, ctx, repository, blob.digest, { body: (async function* () { yield blob.bytes; })() });
  }
  return (await putManifest(registry, ctx, repository, tag, built.mediaType, built.manifest.bytes)).digest;
}

describe('PostgreSQL metadata', { skip }, () => {
  const databases: ThrowawayDatabase[] = [];
  after(async () => void (await Promise.all(databases.map((d) => d.drop()))));
  const fresh = async (options?: { icuLocale?: string }) => {
    const database = await throwawayPostgres(undefined, options);
    databases.push(database);
    return database;
  };

  test('two nodes migrating one new database at once both start, and the schema is migrated once', async () => {
    const database = await fresh();
    const opened = await Promise.all([openPostgres(database.url), openPostgres(database.url), openPostgres(database.url)]);
    const applied = await opened[0]!.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    assert.deepEqual(applied.map((row) => (row as { name: string }).name), migrationNames());
    await Promise.all(opened.map((m) => m.close()));
  });

  test('the same tag pushed through two nodes at once ends on one of the pushed manifests, and both blobs stay', async () => {
    const { nodes, close } = await twoNodes(await fresh());
    const images = [image().layers(2, 2048).build(), image().layers(2, 2048).build()];
    for (let round = 0; round < 5; round++) {
      const digests = await Promise.all(nodes.map((node, i) => pushImage(node, 'race/tag', 'latest', images[i]!)));
      const served = await Promise.all(nodes.map((node) => resolveManifest(node, 'race/tag', 'latest')));
      assert.equal(served[0]!.digest, served[1]!.digest, 'both nodes serve the same tag');
      assert.ok(digests.includes(served[0]!.digest));
    }
    for (const built of images) assert.ok(await resolveManifest(nodes[1], 'race/tag', built.manifest.digest));
    await close();
  });

  test('an IMMUTABLE tag pushed with two different manifests through two nodes at once: exactly one wins', async () => {
    const { nodes, close } = await twoNodes(await fresh());
    await createRepository(nodes[0], 'race/immutable', { imageTagMutability: 'IMMUTABLE', imageTagMutabilityExclusions: null, scanOnPush: false, encryptionType: 'AES256', kmsKey: null }, []);
    for (let round = 0; round < 5; round++) {
      const tag = `v${round}`;
      const results = await Promise.allSettled(nodes.map((node) => pushImage(node, 'race/immutable', tag, image().layers(1, 512).build())));
      const won = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, `round ${round}: one push wins`);
      assert.ok(isRegistryError(refused[0]!.reason) && refused[0]!.reason.code === 'TAG_IMMUTABLE', String(refused[0]?.reason));
      assert.equal((await resolveManifest(nodes[1], 'race/immutable', tag)).digest, (won[0] as PromiseFulfilledResult<string>).value);
    }
    await close();
  });

  test('many concurrent pushes through two nodes, of new images sharing a layer and of new tags on one manifest, all succeed', async () => {
    const { nodes, close } = await twoNodes(await fresh());
    const base = image().layers(1, 4096).build();
    await pushImage(nodes[0], 'busy/app', 'base', base);
    const pushes = Array.from({ length: 40 }, (_, i) => {
      const own = image().layers(1, 256).build();
      return pushImage(nodes[i % 2]!, 'busy/app', `img-${i}`, own);
    });
    const tags = Array.from({ length: 80 }, (_, i) =>
      putManifest(nodes[i % 2]!, ctx, 'busy/app', `same-${i}`, base.mediaType, base.manifest.bytes).then((m) => m.digest),
    );
    const results = await Promise.allSettled([...pushes, ...tags]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.deepEqual(failed.map((f) => String(f.reason)), []);
    assert.equal((await listTags(nodes[1], 'busy/app', {})).tags.length, 1 + 40 + 80);
    await close();
  });

  test('tags list in byte order even when the database sorts by a locale', async () => {
    const { nodes, close } = await twoNodes(await fresh({ icuLocale: 'en-US' }));
    const built = image().layers(1, 64).build();
    const tags = ['a_b', 'B', 'a-b', 'a'];
    for (const tag of tags) await pushImage(nodes[0], 'sorted/tags', tag, built);
    assert.deepEqual((await listTags(nodes[1], 'sorted/tags', {})).tags, ['B', 'a', 'a-b', 'a_b']);
    assert.deepEqual((await listTags(nodes[1], 'sorted/tags', { after: 'a' })).tags, ['a-b', 'a_b']);
    await close();
  });

  test('a connection the server drops mid-query is UNAVAILABLE, and the next query works again', async () => {
    const database = await fresh();
    const metadata = await openPostgres(database.url);
    const name = new URL(database.url).pathname.slice(1);
    const sleeping = metadata.db
      .selectNoFrom((eb) => eb.fn('pg_sleep', [eb.val(10)]).as('slept'))
      .execute()
      .then(() => undefined, (err: unknown) => err);
    const admin = new pg.Client(TEST_DATABASE_URL);
    await admin.connect();
    // Wait for the query to be running, then end its backend as a server restart would.
    for (let i = 0; i < 50; i++) {
      const { rowCount } = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query like '%pg_sleep%' and pid <> pg_backend_pid()`, [name]);
      if (rowCount) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await admin.end();
    const failure = await sleeping;
    assert.ok(isRegistryError(failure) && failure.code === 'UNAVAILABLE', String(failure));
    await metadata.ping();
    await metadata.close();
  });

  test('an unreachable server fails at once with the reason', async () => {
    const started = Date.now();
    await assert.rejects(openPostgres('postgres://postgres@127.0.0.1:1/none'), /cannot connect: .*ECONNREFUSED/);
    assert.ok(Date.now() - started < 6_000);
  });
});
