import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from './config.js';
import { loadConfig } from './load-config.js';

const cwd = '/srv';

test('defaults match INTERFACES.md', () => {
  const config = loadConfig({ flags: {}, env: {}, cwd });
  assert.deepEqual(config.listen, { host: '127.0.0.1', port: 5000 });
  assert.equal(config.dataDir, '/srv/data');
  assert.equal(config.publicUrl, undefined);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.createOnPush, true);
  assert.equal(config.databaseUrl, 'sqlite:/srv/data/berth.db');
  assert.deepEqual(config.storage, { kind: 'fs', root: '/srv/data/blobs' });
  assert.equal(config.gcGraceMs, 24 * 3600 * 1000);
  assert.equal(config.gcIntervalMs, 3600 * 1000);
  assert.equal(config.lifecycleIntervalMs, 3600 * 1000);
  assert.equal(config.accountId, '000000000000');
  assert.equal(config.region, 'us-east-1');
  assert.equal(config.masterKey, undefined);
  assert.equal(config.adminCredentials, undefined);
  assert.deepEqual(config.trustedProxies, []);
  assert.ok(Object.isFrozen(config));
});

test('flags beat the environment, which beats the config file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-config-'));
  const file = path.join(dir, 'berth.yaml');
  writeFileSync(file, 'listen: 0.0.0.0:6000\nlog-level: debug\ncreate_on_push: false\nBERTH_PUBLIC_URL: https://registry.example.com/\n');
  const config = loadConfig({ flags: { listen: '127.0.0.1:7000' }, env: { BERTH_CONFIG: file, BERTH_LOG_LEVEL: 'warn' }, cwd });
  assert.deepEqual(config.listen, { host: '127.0.0.1', port: 7000 });
  assert.equal(config.logLevel, 'warn');
  assert.equal(config.createOnPush, false);
  assert.equal(config.publicUrl, 'https://registry.example.com');
});

test('an invalid setting is one line naming it', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ BERTH_LISTEN: 'nonsense' }, /^BERTH_LISTEN: expected host:port/],
    [{ BERTH_LISTEN: '127.0.0.1:70000' }, /^BERTH_LISTEN:/],
    [{ BERTH_LOG_LEVEL: 'loud' }, /^BERTH_LOG_LEVEL: expected one of/],
    [{ BERTH_CREATE_ON_PUSH: 'maybe' }, /^BERTH_CREATE_ON_PUSH: expected true or false/],
    [{ BERTH_PUBLIC_URL: 'ftp://x' }, /^BERTH_PUBLIC_URL:/],
    [{ BERTH_TLS_CERT: '/nope.pem' }, /^BERTH_TLS_KEY: must be set/],
    [{ BERTH_TLS_CERT: '/nope.pem', BERTH_TLS_KEY: '/nope.key' }, /^BERTH_TLS_CERT: no such file/],
    [{ BERTH_GC_GRACE: 'soon' }, /^BERTH_GC_GRACE:/],
    [{ BERTH_DATABASE_URL: 'mysql://x' }, /^BERTH_DATABASE_URL:/],
    [{ BERTH_CONFIG: '/does/not/exist.yaml' }, /^BERTH_CONFIG: cannot read/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig({ flags: {}, env, cwd }), (err) => err instanceof ConfigError && message.test(err.message) && !err.message.includes('\n'), JSON.stringify(env));
  }
});

test('an unknown key in the config file is refused', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-config-'));
  const file = path.join(dir, 'berth.json');
  writeFileSync(file, JSON.stringify({ listen: '127.0.0.1:5000', colour: 'blue' }));
  assert.throws(() => loadConfig({ flags: {}, env: { BERTH_CONFIG: file }, cwd }), /unknown setting "colour"/);
});

test('storage and database URLs resolve paths', () => {
  const config = loadConfig({ flags: { 'storage-url': './blobs', 'database-url': 'sqlite:meta.db' }, env: {}, cwd });
  assert.deepEqual(config.storage, { kind: 'fs', root: '/srv/blobs' });
  assert.equal(config.databaseUrl, 'sqlite:/srv/meta.db');
});

test('identity settings: account, region, master key and the admin key pair', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  const config = loadConfig({
    flags: { 'account-id': '123456789012' },
    env: { BERTH_REGION: 'eu-west-3', BERTH_MASTER_KEY: key, BERTH_ADMIN_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', BERTH_ADMIN_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    cwd,
  });
  assert.equal(config.accountId, '123456789012');
  assert.equal(config.region, 'eu-west-3');
  assert.deepEqual(loadConfig({ flags: { 'trusted-proxies': '10.0.0.0/8,::1' }, env: {}, cwd }).trustedProxies, ['10.0.0.0/8', '::1']);
  assert.deepEqual(config.masterKey, Buffer.alloc(32, 7));
  assert.deepEqual(config.adminCredentials, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
});

test('invalid identity settings name the setting and never echo a secret', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ BERTH_ACCOUNT_ID: '1234' }, /^BERTH_ACCOUNT_ID: expected 12 digits/],
    [{ BERTH_TRUSTED_PROXIES: '10.0.0.0/8, example.com' }, /^BERTH_TRUSTED_PROXIES: "example.com" is not an IP address or CIDR/],
    [{ BERTH_TRUSTED_PROXIES: '10.0.0.0/33' }, /^BERTH_TRUSTED_PROXIES: "10.0.0.0\/33"/],
    [{ BERTH_REGION: 'moon' }, /^BERTH_REGION: expected a region/],
    [{ BERTH_MASTER_KEY: 'c2hvcnQ=' }, /^BERTH_MASTER_KEY: expected 32 bytes in base64/],
    [{ BERTH_ADMIN_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' }, /^BERTH_ADMIN_SECRET_ACCESS_KEY: must be set/],
    [{ BERTH_ADMIN_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, /^BERTH_ADMIN_ACCESS_KEY_ID: must be set/],
    [{ BERTH_ADMIN_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', BERTH_ADMIN_SECRET_ACCESS_KEY: 'short secret' }, /^BERTH_ADMIN_SECRET_ACCESS_KEY: expected 16-128/],
  ];
  for (const [env, expected] of cases) {
    assert.throws(() => loadConfig({ flags: {}, env, cwd }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, expected);
      assert.ok(!err.message.includes('short secret') && !err.message.includes('c2hvcnQ'), err.message);
      return true;
    });
  }
});

test('an s3:// storage URL names the bucket, prefix, endpoint and options', () => {
  const endpoint = encodeURIComponent('http://127.0.0.1:9000/');
  const config = loadConfig({
    flags: {},
    env: { BERTH_STORAGE_URL: `s3://my-bucket/berth/blobs/?endpoint=${endpoint}&region=eu-west-1&forcePathStyle=true&redirect=false&sseKmsKeyId=alias/berth` },
    cwd,
  });
  assert.deepEqual(config.storage, {
    kind: 's3',
    bucket: 'my-bucket',
    prefix: 'berth/blobs/',
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9000',
    forcePathStyle: true,
    redirect: false,
    serverSideEncryption: 'aws:kms',
    sseKmsKeyId: 'alias/berth',
  });
  const plain = loadConfig({ flags: {}, env: { BERTH_STORAGE_URL: 's3://my-bucket', AWS_REGION: 'ap-south-1' }, cwd });
  assert.deepEqual(plain.storage, {
    kind: 's3',
    bucket: 'my-bucket',
    prefix: '',
    region: 'ap-south-1',
    endpoint: undefined,
    forcePathStyle: false,
    redirect: true,
    serverSideEncryption: undefined,
    sseKmsKeyId: undefined,
  });
});

test('a bad s3:// storage URL is one line naming the problem', () => {
  const cases: [string, RegExp][] = [
    ['s3://UPPER', /not a valid S3 bucket name/],
    ['s3://bucket?colour=blue', /unknown parameter "colour"/],
    ['s3://bucket?forcePathStyle=yes', /forcePathStyle must be true or false/],
    ['s3://bucket?endpoint=localhost:9000', /endpoint must be an http/],
    ['s3://bucket?sse=DES', /sse must be AES256 or aws:kms/],
    ['gs://bucket', /expected s3:\/\/BUCKET/],
  ];
  for (const [url, message] of cases) {
    assert.throws(
      () => loadConfig({ flags: {}, env: { BERTH_STORAGE_URL: url }, cwd }),
      (err) => err instanceof ConfigError && /^BERTH_STORAGE_URL: /.test(err.message) && message.test(err.message),
      url,
    );
  }
});
