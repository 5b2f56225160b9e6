// PostgreSQL or S3 out of reach: at start-up one clear line and exit 1; while running a retryable 503
// (ServerException on the ECR API), nothing half-written becomes visible, and the node recovers by
// itself when the service returns. The outages are made by cutting a TCP proxy in front of each service.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { s3ForTests, type S3TestStore } from '../helpers/s3-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { TEST_DATABASE_URL, throwawayPostgres, type ThrowawayDatabase } from '../helpers/test-database.js';
import { awsJson, awsClis, aws } from './helpers/aws.js';
import { startBerth, type Berth } from './helpers/berth.js';
import { sha256 } from './helpers/oci-layout.js';
import { run } from './helpers/process.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'berth.js');
const store = await s3ForTests();
const skip = !TEST_DATABASE_URL ? 'BERTH_TEST_DATABASE_URL is not set' : 'skip' in store ? store.skip : false;

const storageUrl = (s3: S3TestStore, endpoint: string, bucket = s3.bucket) =>
  `s3://${bucket}/${s3.driverOptions().prefix}?endpoint=${encodeURIComponent(endpoint)}&region=${s3.region}&forcePathStyle=true&redirect=false`;

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} within ${ms / 1000} s`);
}

describe('outages of PostgreSQL and S3', { skip }, () => {
  const s3 = store as S3TestStore;
  let database: ThrowawayDatabase;
  let dbProxy: TcpProxy;
  let s3Proxy: TcpProxy;
  let berth: Berth;
  let authorization: string;

  before(async () => {
    database = await throwawayPostgres();
    const dbUrl = new URL(database.url);
    dbProxy = await startTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    const s3Url = new URL(s3.endpoint);
    s3Proxy = await startTcpProxy({ host: s3Url.hostname, port: Number(s3Url.port || 80) });
    dbUrl.host = `127.0.0.1:${dbProxy.port}`;
    berth = await startBerth({ env: { BERTH_DATABASE_URL: dbUrl.toString(), BERTH_STORAGE_URL: storageUrl(s3, `http://127.0.0.1:${s3Proxy.port}`) } });
    authorization = `Basic ${Buffer.from(`AWS:${await berth.loginPassword()}`).toString('base64')}`;
  });

  after(async () => {
    await berth?.stop();
    await Promise.all([dbProxy?.close(), s3Proxy?.close()]);
    await database?.drop();
    await s3.stop();
  });

  const v2 = (method: string, pathAndQuery: string, body?: Buffer) =>
    fetch(`${berth.url}${pathAndQuery}`, { method, headers: { authorization, 'content-type': 'application/octet-stream' }, ...(body ? { body: body as unknown as BodyInit } : {}) });

  test('start-up with the database or the store out of reach is one line naming the setting, exit 1', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ BERTH_DATABASE_URL: 'postgres://berth:TopSecretPw@127.0.0.1:1/berth' }, /^berth: BERTH_DATABASE_URL: cannot use PostgreSQL at 127\.0\.0\.1:1\/berth: cannot connect: .*ECONNREFUSED/],
      [{ BERTH_STORAGE_URL: storageUrl(s3, 'http://127.0.0.1:1') }, /^berth: BERTH_STORAGE_URL: cannot use bucket /],
      [{ BERTH_STORAGE_URL: storageUrl(s3, s3.endpoint, 'no-such-bucket-here') }, /^berth: BERTH_STORAGE_URL: cannot use bucket no-such-bucket-here: .*no-such-bucket-here/],
    ];
    for (const [env, message] of cases) {
      const result = await run(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', path.join(berth.dataDir, 'unused')], {
        env: { BERTH_DATABASE_URL: database.url, ...env },
        timeoutMs: 30_000,
      });
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('berth:'));
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, message);
      assert.ok(!result.stderr.includes('TopSecretPw') && !result.stdout.includes('TopSecretPw'), 'the password never appears');
    }
  });

  test('the database cut while running: 503 UNAVAILABLE and ServerException, nothing half-written, recovery on its own', async () => {
    const layer = randomBytes(64 * 1024);
    const digest = sha256(layer);
    assert.equal((await v2('POST', `/v2/outage/db/blobs/uploads/?digest=${digest}`, layer)).status, 201);

    await dbProxy.cut();
    const head = await v2('HEAD', `/v2/outage/db/blobs/${digest}`);
    assert.equal(head.status, 503);
    const pushed = await v2('POST', `/v2/outage/db/blobs/uploads/?digest=${sha256(Buffer.from('during'))}`, Buffer.from('during'));
    assert.equal(pushed.status, 503);
    assert.equal(((await pushed.json()) as { errors: { code: string }[] }).errors[0]!.code, 'UNAVAILABLE');
    assert.equal((await fetch(`${berth.url}/healthz`)).status, 503);
    const cli = awsClis()[0]!;
    const described = await aws(cli, berth.url, ['ecr', 'describe-repositories', '--cli-read-timeout', '10']);
    assert.notEqual(described.code, 0);
    assert.match(described.stderr, /ServerException|Max retries|reached max retries/i, described.stderr);

    await dbProxy.restore();
    await until('the node answers again', async () => (await v2('HEAD', `/v2/outage/db/blobs/${digest}`)).status === 200);
    assert.equal((await v2('HEAD', `/v2/outage/db/blobs/${sha256(Buffer.from('during'))}`)).status, 404, 'the push made during the outage is not visible');
    assert.equal((await fetch(`${berth.url}/healthz`)).status, 200);
    const repositories = await awsJson<{ repositories: { repositoryName: string }[] }>(cli, berth.url, ['ecr', 'describe-repositories']);
    assert.deepEqual(repositories.repositories.map((r) => r.repositoryName), ['outage/db']);
  });

  test('the store cut while running: blob reads and writes answer 503, and work again when it returns', async () => {
    const layer = randomBytes(256 * 1024);
    const digest = sha256(layer);
    assert.equal((await v2('POST', `/v2/outage/s3/blobs/uploads/?digest=${digest}`, layer)).status, 201);

    await s3Proxy.cut();
    const read = await v2('GET', `/v2/outage/s3/blobs/${digest}`);
    assert.equal(read.status, 503, await read.text());
    const other = randomBytes(1024);
    const write = await v2('POST', `/v2/outage/s3/blobs/uploads/?digest=${sha256(other)}`, other);
    assert.equal(write.status, 503, await write.text());

    await s3Proxy.restore();
    await until('blob reads work again', async () => (await v2('GET', `/v2/outage/s3/blobs/${digest}`)).status === 200);
    assert.equal(sha256(Buffer.from(await (await v2('GET', `/v2/outage/s3/blobs/${digest}`)).arrayBuffer())), digest);
    assert.equal((await v2('HEAD', `/v2/outage/s3/blobs/${sha256(other)}`)).status, 404, 'the failed write left nothing visible');
  });
});
