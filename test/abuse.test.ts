import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ecr } from './helpers/ecr-client.js';
import { errorCode } from './helpers/oci-client.js';
import { startTestRegistry } from './helpers/test-registry.js';

const wrong = `Basic ${Buffer.from('AWS:berth1.bm90.cmVhbA').toString('base64')}`;

test('repeated failed logins from one source get 429 with Retry-After; other sources are not affected', async (t) => {
  const r = await startTestRegistry();
  t.after(() => r.close());
  for (let i = 0; i < 10; i++) {
    const res = await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: wrong }, remoteAddress: '198.51.100.7' });
    assert.equal(res.statusCode, 401);
  }
  const blocked = await r.anonymous.inject({ method: 'GET', url: '/v2/token', headers: { authorization: r.rootAuthorization }, remoteAddress: '198.51.100.7' });
  assert.equal(blocked.statusCode, 429);
  assert.equal(errorCode(blocked), 'TOOMANYREQUESTS');
  assert.ok(Number(blocked.headers['retry-after']) > 0);
  const other = await r.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: r.rootAuthorization }, remoteAddress: '198.51.100.8' });
  assert.equal(other.statusCode, 200);
});

test('failed SigV4 calls count too, and the ECR API answers ThrottlingException', async (t) => {
  const r = await startTestRegistry();
  t.after(() => r.close());
  const bad = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-the-secret-000000000000000000000000' };
  for (let i = 0; i < 10; i++) assert.equal((await ecr(r.app, 'DescribeRegistry', {}, { key: bad })).error, 'InvalidSignatureException');
  const throttled = await ecr(r.app, 'DescribeRegistry');
  assert.equal(throttled.error, 'ThrottlingException');
  assert.ok(Number(throttled.raw.headers['retry-after']) > 0);
});

test('X-Forwarded-For names the source only when the proxy is trusted', async (t) => {
  const untrusted = await startTestRegistry();
  t.after(() => untrusted.close());
  // Without BERTH_TRUSTED_PROXIES a client cannot dodge the limit by inventing addresses.
  for (let i = 0; i < 10; i++) {
    await untrusted.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: wrong, 'x-forwarded-for': `203.0.113.${i}` } });
  }
  assert.equal((await untrusted.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: untrusted.rootAuthorization } })).statusCode, 429);

  const trusted = await startTestRegistry({ trustedProxies: ['127.0.0.0/8'] });
  t.after(() => trusted.close());
  for (let i = 0; i < 10; i++) {
    await trusted.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: wrong, 'x-forwarded-for': '203.0.113.50' } });
  }
  assert.equal((await trusted.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: trusted.rootAuthorization, 'x-forwarded-for': '203.0.113.50' } })).statusCode, 429);
  assert.equal((await trusted.anonymous.inject({ method: 'GET', url: '/v2/', headers: { authorization: trusted.rootAuthorization, 'x-forwarded-for': '203.0.113.51' } })).statusCode, 200);
});
