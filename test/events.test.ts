import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countJobs } from '../src/metadata/jobs.repository.js';
import { image } from './helpers/images.js';
import { pushImage } from './helpers/oci-client.js';
import { startTestRegistry } from './helpers/test-registry.js';

test('ImagePushed commits with the push (the outbox): a delivery that fails, at push time or from the worker, is made again', async (t) => {
  const r = await startTestRegistry();
  t.after(() => r.close());
  const seen: string[] = [];
  // Down for the push's immediate delivery and for the outbox's first one.
  let failures = 2;
  r.registry.events.subscribe((event) => {
    if (event.type !== 'ImagePushed') return;
    if (failures-- > 0) throw new Error('subscriber down');
    seen.push(`${event.repository}:${event.tag}`);
  });
  const built = image().layers(1, 10).build();
  await pushImage(r.app, 'events/app', 'v1', built);
  assert.deepEqual(await countJobs(r.registry.metadata.db), [{ kind: 'domain-event', queued: 1, failing: 0 }], 'queued in the push transaction');
  assert.deepEqual(seen, [], 'the immediate delivery failed, and the push succeeded all the same');
  assert.equal(await r.runJobs(), 1);
  assert.deepEqual(await countJobs(r.registry.metadata.db), [{ kind: 'domain-event', queued: 1, failing: 1 }], 'a failed delivery stays queued for a retry');
  // The retry waits for its backoff; make it due now.
  await r.registry.metadata.db.updateTable('jobs').set({ run_after: 0 }).execute();
  assert.equal(await r.runJobs(), 1);
  assert.deepEqual(seen, ['events/app:v1']);
  assert.deepEqual(await countJobs(r.registry.metadata.db), []);

  // Delivered at once, an event leaves nothing in the outbox and is not delivered twice.
  await pushImage(r.app, 'events/app', 'v2', image().layers(1, 10).build());
  assert.deepEqual(seen, ['events/app:v1', 'events/app:v2']);
  assert.deepEqual(await countJobs(r.registry.metadata.db), []);
  assert.equal(await r.runJobs(), 0);
});
