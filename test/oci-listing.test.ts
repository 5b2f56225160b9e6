import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { image, OCI_MANIFEST } from './helpers/images.js';
import { errorCode, pushImage, putManifest } from './helpers/oci-client.js';
import { startTestRegistry, type TestRegistry } from './helpers/test-registry.js';

describe('tag listing and catalog', () => {
  let t: TestRegistry;
  const tags = ['b', 'a', 'c1', 'c2', 'latest', 'v1.0'];
  before(async () => {
    t = await startTestRegistry();
    const img = image().layers(1, 16).build();
    await pushImage(t.app, 'list/app', tags[0]!, img);
    for (const tag of tags.slice(1)) assert.equal((await putManifest(t.app, 'list/app', tag, img.manifest, OCI_MANIFEST)).statusCode, 201);
    await pushImage(t.app, 'list/other', 'v1', image().layers(1, 16).build());
    await pushImage(t.app, 'another', 'v1', image().layers(1, 16).build());
  });
  after(() => t.close());

  test('tags come sorted', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v2/list/app/tags/list' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.body), { name: 'list/app', tags: [...tags].sort() });
    assert.equal(res.headers.link, undefined);
  });

  test('n and last page through the tags with a Link header', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/v2/list/app/tags/list?n=4';
    let pages = 0;
    while (url && pages++ < 10) {
      const res = await t.app.inject({ method: 'GET', url });
      const body = JSON.parse(res.body) as { tags: string[] };
      assert.ok(body.tags.length <= 4);
      seen.push(...body.tags);
      const link = res.headers.link as string | undefined;
      url = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    }
    assert.deepEqual(seen, [...tags].sort());
    assert.equal(pages, 2);
    const afterLast = await t.app.inject({ method: 'GET', url: '/v2/list/app/tags/list?n=2&last=c2' });
    assert.deepEqual(JSON.parse(afterLast.body).tags, ['latest', 'v1.0']);
    const zero = await t.app.inject({ method: 'GET', url: '/v2/list/app/tags/list?n=0' });
    assert.deepEqual(JSON.parse(zero.body).tags, []);
  });

  test('an invalid n is refused, an unknown repository is NAME_UNKNOWN', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/v2/list/app/tags/list?n=abc' });
    assert.equal(bad.statusCode, 400);
    const unknown = await t.app.inject({ method: 'GET', url: '/v2/no/such/tags/list' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorCode(unknown), 'NAME_UNKNOWN');
  });

  test('the catalog lists repositories sorted, with pagination', async () => {
    const all = await t.app.inject({ method: 'GET', url: '/v2/_catalog' });
    assert.deepEqual(JSON.parse(all.body).repositories, ['another', 'list/app', 'list/other']);
    const first = await t.app.inject({ method: 'GET', url: '/v2/_catalog?n=2' });
    assert.deepEqual(JSON.parse(first.body).repositories, ['another', 'list/app']);
    assert.equal(first.headers.link, '</v2/_catalog?n=2&last=list%2Fapp>; rel="next"');
    const second = await t.app.inject({ method: 'GET', url: '/v2/_catalog?n=2&last=list%2Fapp' });
    assert.deepEqual(JSON.parse(second.body).repositories, ['list/other']);
    assert.equal(second.headers.link, undefined);
  });

  test('unknown endpoints and methods get OCI error bodies', async () => {
    const route = await t.app.inject({ method: 'GET', url: '/v2/list/app/nothing' });
    assert.equal(route.statusCode, 404);
    assert.ok(errorCode(route));
    const method = await t.app.inject({ method: 'POST', url: '/v2/list/app/tags/list' });
    assert.equal(method.statusCode, 405);
    assert.equal(errorCode(method), 'UNSUPPORTED');
  });

  test('/metrics counts requests by route and /healthz answers', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /berth_http_requests_total\{route="manifest",method="PUT",status="201"\} \d+/);
    assert.match(metrics.body, /berth_http_request_duration_seconds_bucket\{route="tags",method="GET",le="\+Inf"\} \d+/);
    assert.match(metrics.body, /berth_uploads_in_progress 0/);
    assert.match(metrics.body, /\nprocess_resident_memory_bytes [1-9]\d+\n/, 'the process memory, for the RSS a benchmark or an operator watches');
    assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});
