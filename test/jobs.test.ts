import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { JobWorker } from '../src/jobs/job-worker.js';
import { openPostgres } from '../src/metadata/dialects/postgres.js';
import { openSqlite } from '../src/metadata/dialects/sqlite.js';
import { countJobs, enqueueJob, leaseDueJobs } from '../src/metadata/jobs.repository.js';
import type { Metadata } from '../src/metadata/metadata.js';
import { TEST_DATABASE_URL, throwawayPostgres, type ThrowawayDatabase } from './helpers/test-database.js';

const log = pino({ level: 'silent' });

interface Backend {
  readonly name: string;
  readonly skip: string | false;
  /** Two handles on one database: two nodes on PostgreSQL, the same store twice on SQLite. */
  open(): Promise<[Metadata, Metadata]>;
}

const databases: ThrowawayDatabase[] = [];
after(async () => void (await Promise.all(databases.map((d) => d.drop()))));

const backends: Backend[] = [
  {
    name: 'SQLite',
    skip: false,
    async open() {
      const metadata = await openSqlite(':memory:');
      return [metadata, metadata];
    },
  },
  {
    name: 'PostgreSQL',
    skip: TEST_DATABASE_URL ? false : 'BERTH_TEST_DATABASE_URL is not set',
    async open() {
      const database = await throwawayPostgres();
      databases.push(database);
      return [await openPostgres(database.url), await openPostgres(database.url)];
    },
  },
];

const clock = (start = 1_000_000) => {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
};

for (const backend of backends) {
  describe(`background jobs on ${backend.name}`, { skip: backend.skip }, () => {
    test('enqueueing the same work twice makes one job', async () => {
      const [a, b] = await backend.open();
      assert.equal(await enqueueJob(a.db, { kind: 'gc', dedupeKey: 'blob-1', payload: '{}', runAfter: 0 }, 0), true);
      assert.equal(await enqueueJob(b.db, { kind: 'gc', dedupeKey: 'blob-1', payload: '{}', runAfter: 0 }, 0), false);
      assert.deepEqual(await countJobs(a.db), [{ kind: 'gc', queued: 1, failing: 0 }]);
      await Promise.all([a.close(), b.close()]);
    });

    test('two workers on two nodes lease and run every job exactly once', async () => {
      const [a, b] = await backend.open();
      for (let i = 0; i < 60; i++) await enqueueJob(a.db, { kind: 'count', dedupeKey: `job-${i}`, payload: JSON.stringify({ i }), runAfter: 0 }, 0);
      const runs = new Map<number, number>();
      const workers = [a, b].map((metadata) => {
        const worker = new JobWorker({ metadata, clock: clock(), log, concurrency: 4 });
        worker.register('count', async (_ctx, payload) => {
          const i = (payload as { i: number }).i;
          runs.set(i, (runs.get(i) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, Math.random() * 3));
        });
        return worker;
      });
      // Drain concurrently, as two nodes polling at once would.
      await Promise.all(workers.map(async (worker) => {
        while ((await worker.runDue()) > 0);
      }));
      assert.equal(runs.size, 60);
      assert.ok([...runs.values()].every((n) => n === 1), 'no job ran twice');
      assert.deepEqual(await countJobs(a.db), []);
      await Promise.all([a.close(), b.close()]);
    });

    test('a failed job is retried later with its error kept; a job waits for its run_after', async () => {
      const [a, b] = await backend.open();
      const time = clock();
      await enqueueJob(a.db, { kind: 'flaky', dedupeKey: 'x', payload: '{}', runAfter: time.now().getTime() + 5_000 }, 0);
      let calls = 0;
      const worker = new JobWorker({ metadata: b, clock: time, log });
      worker.register('flaky', async () => {
        calls++;
        if (calls === 1) throw new Error('store unavailable');
      });
      assert.equal(await worker.runDue(), 0, 'not due yet');
      time.advance(5_000);
      assert.equal(await worker.runDue(), 1);
      assert.deepEqual(await countJobs(a.db), [{ kind: 'flaky', queued: 1, failing: 1 }]);
      assert.equal(await worker.runDue(), 0, 'the retry waits for its backoff');
      time.advance(2_000);
      assert.equal(await worker.runDue(), 1);
      assert.equal(calls, 2);
      assert.deepEqual(await countJobs(a.db), []);
      await Promise.all([a.close(), b.close()]);
    });

    test("a dead worker's lease runs out and another node takes the job", async () => {
      const [a, b] = await backend.open();
      const time = clock();
      await enqueueJob(a.db, { kind: 'long', dedupeKey: 'x', payload: '{}', runAfter: 0 }, 0);
      const leased = await leaseDueJobs(a, { kinds: ['long'], owner: 'dead-node', now: time.now().getTime(), leaseMs: 10_000, limit: 10 });
      assert.equal(leased.length, 1);
      const worker = new JobWorker({ metadata: b, clock: time, log, leaseMs: 10_000 });
      let ran = 0;
      worker.register('long', async () => void ran++);
      assert.equal(await worker.runDue(), 0, 'still leased');
      time.advance(10_000);
      assert.equal(await worker.runDue(), 1);
      assert.equal(ran, 1);
      await Promise.all([a.close(), b.close()]);
    });

    test('a singleton lock lets one holder run at a time, across nodes', async () => {
      const [a, b] = await backend.open();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first = a.runExclusive('scheduler', () => held);
      await new Promise((r) => setTimeout(r, 50));
      let secondRan = false;
      assert.equal(await b.runExclusive('scheduler', async () => void (secondRan = true)), false);
      assert.equal(secondRan, false);
      assert.equal(await b.runExclusive('another', async () => {}), true, 'other locks are free');
      release();
      assert.equal(await first, true);
      assert.equal(await b.runExclusive('scheduler', async () => void (secondRan = true)), true);
      assert.equal(secondRan, true);
      await Promise.all([a.close(), b.close()]);
    });
  });
}
