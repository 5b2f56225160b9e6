import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ecr } from './helpers/ecr-client.js';
import { image } from './helpers/images.js';
import { errorCode, pushImage } from './helpers/oci-client.js';
import { startTestRegistry, TEST_ACCOUNT, type TestRegistry } from './helpers/test-registry.js';

const basic = (password: string) => `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;

async function loginPassword(r: TestRegistry): Promise<string> {
  const res = await ecr(r.app, 'GetAuthorizationToken');
  const token = (res.body.authorizationData as { authorizationToken: string }[])[0]!.authorizationToken;
  return Buffer.from(token, 'base64').toString().slice('AWS:'.length);
}

async function bearer(r: TestRegistry, scope: string, authorization?: string): Promise<string> {
  const res = await r.anonymous.inject({ method: 'GET', url: `/v2/token?service=localhost&scope=${encodeURIComponent(scope)}`, headers: authorization ? { authorization } : {} });
  assert.equal(res.statusCode, 200, res.body);
  const body = JSON.parse(res.body) as { token: string; access_token: string; expires_in: number; issued_at: string };
  assert.equal(body.token, body.access_token);
  assert.ok(body.expires_in >= 60);
  return `Bearer ${body.token}`;
}

describe('/v2 authentication: the Docker token flow', () => {
  test('without credentials: 401 with a Bearer challenge naming the realm, service and scope', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const ping = await r.anonymous.inject({ method: 'GET', url: '/v2/' });
    assert.equal(ping.statusCode, 401);
    assert.equal(ping.headers['www-authenticate'], 'Bearer realm="http://localhost:80/v2/token",service="localhost:80"');
    assert.equal(errorCode(ping), 'UNAUTHORIZED');
    const pull = await r.anonymous.inject({ method: 'GET', url: '/v2/team/app/manifests/v1' });
    assert.equal(pull.statusCode, 401);
    assert.match(String(pull.headers['www-authenticate']), /scope="repository:team\/app:pull"/);
    const push = await r.anonymous.inject({ method: 'POST', url: '/v2/team/app/blobs/uploads/' });
    assert.equal(push.statusCode, 401);
    assert.match(String(push.headers['www-authenticate']), /scope="repository:team\/app:pull,push"/);
  });

  test('the token endpoint takes the ECR password, refuses a wrong one, and its token opens what it grants', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const password = await loginPassword(r);
    const wrong = await r.anonymous.inject({ method: 'GET', url: '/v2/token?service=localhost', headers: { authorization: basic('not-a-password') } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(errorCode(wrong), 'UNAUTHORIZED');

    const token = await bearer(r, 'repository:app:pull,push', basic(password));
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: token } })).statusCode, 200);
    const img = image().layers(1, 100).build();
    await pushImage({ inject: (o) => r.anonymous.inject({ ...(o as object), headers: { ...((o as { headers?: object }).headers ?? {}), authorization: token } }) } as TestRegistry['app'], 'app', 'v1', img);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/app/manifests/v1', headers: { authorization: token } })).statusCode, 200);

    const pullOnly = await bearer(r, 'repository:app:pull', basic(password));
    const denied = await r.anonymous.inject({ method: 'POST', url: '/v2/app/blobs/uploads/', headers: { authorization: pullOnly } });
    assert.equal(denied.statusCode, 401);
    assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope"/);
    const otherRepo = await r.anonymous.inject({ method: 'GET', url: '/v2/other/manifests/v1', headers: { authorization: pullOnly } });
    assert.equal(otherRepo.statusCode, 401);
  });

  test("ECR's own form works: Basic AWS:<password> on any /v2 request; forged and expired credentials are 401", async (t) => {
    let now = Date.now();
    const r = await startTestRegistry({ clock: { now: () => new Date(now) } });
    t.after(() => r.close());
    const password = await loginPassword(r);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: basic(password) } })).statusCode, 200);
    const forged = password.slice(0, -3) + (password.endsWith('AAA') ? 'BBB' : 'AAA');
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: basic(forged) } })).statusCode, 401);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: 'Bearer berthb1.forged.token' } })).statusCode, 401);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: 'Basic ' + Buffer.from(`admin:${password}`).toString('base64') } })).statusCode, 401);
    now += 12 * 3600_000 + 1000;
    const expired = await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: basic(password) } });
    assert.equal(expired.statusCode, 401);
    assert.match(expired.body, /expired/);
  });
});

describe('/v2 authorization by policy', () => {
  const publicPull = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'public', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:ListImages'] }],
  });

  test('a repository policy with Principal * makes a public repository: anonymous pulls work, pushes do not', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const img = image().layers(1, 100).build();
    await pushImage(r.app, 'public/app', 'v1', img);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/public/app/manifests/v1' })).statusCode, 401);
    assert.equal((await ecr(r.app, 'SetRepositoryPolicy', { repositoryName: 'public/app', policyText: publicPull })).status, 200);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/public/app/manifests/v1' })).statusCode, 200);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: `/v2/public/app/blobs/${img.layers[0]!.digest}` })).statusCode, 200);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/public/app/tags/list' })).statusCode, 200);
    assert.equal((await r.anonymous.inject({ method: 'POST', url: '/v2/public/app/blobs/uploads/' })).statusCode, 401);
    assert.equal((await r.anonymous.inject({ method: 'DELETE', url: `/v2/public/app/manifests/${img.manifest.digest}` })).statusCode, 401);
    // Anonymous tokens carry only what the policy opens.
    const res = await r.anonymous.inject({ method: 'GET', url: '/v2/token?scope=repository:public/app:pull,push' });
    const token = `Bearer ${(JSON.parse(res.body) as { token: string }).token}`;
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/public/app/manifests/v1', headers: { authorization: token } })).statusCode, 200);
    assert.equal((await r.anonymous.inject({ method: 'POST', url: '/v2/public/app/blobs/uploads/', headers: { authorization: token } })).statusCode, 401);
    // Other repositories stay private.
    await pushImage(r.app, 'private/app', 'v1', img);
    assert.equal((await r.anonymous.inject({ method: 'GET', url: '/v2/private/app/manifests/v1' })).statusCode, 401);
  });

  test('an explicit Deny in the repository policy refuses even the account root (403 DENIED)', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const img = image().layers(1, 100).build();
    await pushImage(r.app, 'locked', 'v1', img);
    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:BatchDeleteImage' }] });
    await ecr(r.app, 'SetRepositoryPolicy', { repositoryName: 'locked', policyText: deny });
    const refused = await r.app.inject({ method: 'DELETE', url: `/v2/locked/manifests/${img.manifest.digest}` });
    assert.equal(refused.statusCode, 403);
    assert.equal(errorCode(refused), 'DENIED');
    assert.match(refused.body, new RegExp(`arn:aws:iam::${TEST_ACCOUNT}:root is not authorized to perform: ecr:BatchDeleteImage`));
    assert.equal((await r.app.inject({ method: 'GET', url: '/v2/locked/manifests/v1' })).statusCode, 200);
  });

  test('a cross-repository mount needs pull rights on the source: without them the upload is a plain session', async (t) => {
    const r = await startTestRegistry();
    t.after(() => r.close());
    const img = image().layers(1, 100).build();
    await pushImage(r.app, 'source', 'v1', img);
    const password = await loginPassword(r);
    const layer = img.layers[0]!.digest;
    const noSource = await bearer(r, 'repository:target:pull,push', basic(password));
    const fallback = await r.anonymous.inject({ method: 'POST', url: `/v2/target/blobs/uploads/?mount=${layer}&from=source`, headers: { authorization: noSource } });
    assert.equal(fallback.statusCode, 202);
    const withSource = await bearer(r, 'repository:target:pull,push repository:source:pull', basic(password));
    const mounted = await r.anonymous.inject({ method: 'POST', url: `/v2/target/blobs/uploads/?mount=${layer}&from=source`, headers: { authorization: withSource } });
    assert.equal(mounted.statusCode, 201);
  });
});
