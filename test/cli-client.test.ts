import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServerProcess, stopProcess } from './helpers/server-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = { accessKeyId: 'AKIACLIENTTESTROOT00', secretAccessKey: 'client/test/root/secret/000000000000000' };

/** Runs a module of the CLI from source (`berth …` or the credential helper) and captures it. */
function runFromSource(script: string, args: string[], env: Record<string, string>, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, '--', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(input);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const berthCli = `import { runCli } from ${JSON.stringify(path.join(here, '../src/cli/main.ts'))}; process.exitCode = await runCli(process.argv.slice(1));`;
const helperCli = `import { runCredentialHelperCli } from ${JSON.stringify(path.join(here, '../src/cli/credential-helper-main.ts'))};
let input = ''; for await (const c of process.stdin) input += c; process.exitCode = await runCredentialHelperCli(process.argv.slice(1), input);`;

test('berth login, users and keys, and docker-credential-berth, against a running server', { timeout: 120_000 }, async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'berth-cli-client-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startServerProcess(dataDir, { BERTH_ADMIN_ACCESS_KEY_ID: ROOT.accessKeyId, BERTH_ADMIN_SECRET_ACCESS_KEY: ROOT.secretAccessKey });
  try {
    const env = {
      AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
      DOCKER_CONFIG: path.join(dataDir, 'docker'),
    };
    const host = new URL(server.url).host;

    const login = await runFromSource(berthCli, ['login', '--endpoint', server.url], env);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, new RegExp(`^Login Succeeded: ${host}`));
    const config = JSON.parse(await readFile(path.join(dataDir, 'docker', 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    const auth = config.auths[host]!.auth;
    assert.equal((await fetch(`${server.url}/v2/`, { headers: { authorization: `Basic ${auth}` } })).status, 200, 'the stored login works on /v2');

    assert.equal((await runFromSource(berthCli, ['users', 'create', 'ci', '--endpoint', server.url], env)).code, 0);
    const users = await runFromSource(berthCli, ['users', 'list', '--endpoint', server.url], env);
    assert.match(users.stdout, /^ci\tarn:aws:iam::000000000000:user\/ci\t/m);
    const key = await runFromSource(berthCli, ['keys', 'create', 'ci', '--endpoint', server.url], env);
    assert.match(key.stdout, /^aws_access_key_id = AKIA\w{16}\naws_secret_access_key = \S{40}\n$/);
    const keyId = /aws_access_key_id = (\w+)/.exec(key.stdout)![1]!;
    assert.match((await runFromSource(berthCli, ['keys', 'deactivate', 'ci', keyId, '--endpoint', server.url], env)).stdout, /Inactive/);
    assert.match((await runFromSource(berthCli, ['keys', 'list', 'ci', '--endpoint', server.url], env)).stdout, new RegExp(`^${keyId}\\tInactive`));

    const missing = await runFromSource(berthCli, ['users', 'delete', 'nobody', '--endpoint', server.url], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1, 'one line');
    assert.match(missing.stderr, /^berth: NoSuchEntity/);
    assert.equal((await runFromSource(berthCli, ['keys', 'create', '--endpoint', server.url], env)).code, 2);

    const got = await runFromSource(helperCli, ['get'], env, `${host}\n`);
    assert.equal(got.code, 0, got.stdout);
    const creds = JSON.parse(got.stdout) as { ServerURL: string; Username: string; Secret: string };
    assert.deepEqual([creds.ServerURL, creds.Username], [host, 'AWS']);
    const basic = Buffer.from(`AWS:${creds.Secret}`).toString('base64');
    assert.equal((await fetch(`${server.url}/v2/`, { headers: { authorization: `Basic ${basic}` } })).status, 200, "the helper's secret works on /v2");
    assert.equal((await runFromSource(helperCli, ['store'], env, '{}')).code, 0);
    assert.equal((await runFromSource(helperCli, ['list'], env)).stdout.trim(), '{}');
    const wrongKey = await runFromSource(helperCli, ['get'], { ...env, AWS_SECRET_ACCESS_KEY: 'wrong/secret/000000000000000000000000000' }, `${host}\n`);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stdout, /InvalidSignatureException/);
  } finally {
    await stopProcess(server.child);
  }
});
