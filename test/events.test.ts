import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countJobs } from '../src/metadata/jobs.repository.js';
import { image } from './helpers/images.js';
import { pushImage } from './helpers/oci-client.js';
import { startTestRegistry } from './helpers/test-registry.js';

test('ImagePushed commits with the push (the outbox) and is delivered by a worker, again after a failed delivery', async (t) => {
  const r = await startTestRegistry();
  t.after(() => r.close());
  const seen: string[] = [];
  let failNext = true;
  r.registry.events.subscribe((event) => {
    if (event.type !== 'ImagePushed') return;
    if (failNext) {
      failNext = false;
      throw new Error('subscriber down');
    }
    seen.push(`${event.repository}:${event.tag}`);
  });
  const built = image().layers(1, 10).build();
  await pushImage(r.app, 'events/app', 'v1', built);
  assert.deepEqual(await countJobs(r.registry.metadata.db), [{ kind: 'domain-event', queued: 1, failing: 0 }], 'queued in the push transaction');
  assert.deepEqual(seen, [], 'nothing delivered inside the request');
  assert.equal(await r.runJobs(), 1);
  assert.deepEqual(await countJobs(r.registry.metadata.db), [{ kind: 'domain-event', queued: 1, failing: 1 }], 'a failed delivery stays queued for a retry');
  // The retry waits for its backoff; make it due now.
  await r.registry.metadata.db.updateTable('jobs').set({ run_after: 0 }).execute();
  assert.equal(await r.runJobs(), 1);
  assert.deepEqual(seen, ['events/app:v1']);
  assert.deepEqual(await countJobs(r.registry.metadata.db), []);
});
