// Identity and access with real clients: `aws iam` and `aws sts` (both CLIs) manage a second user; skopeo,
// logged in as that user, is denied a pull until a repository policy grants it; a public repository pulls
// anonymously and refuses an anonymous push.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ACCOUNT, aws, awsClis, awsJson } from './helpers/aws.js';
import { startBerth, type Berth } from './helpers/berth.js';
import { makeImage, writeLayout } from './helpers/oci-layout.js';
import { describeRun } from './helpers/process.js';
import { makeSkopeo, type Skopeo } from './helpers/skopeo.js';

let berth: Berth;
let admin: Skopeo;
let work: string;
let layout: string;

before(async () => {
  berth = await startBerth();
  admin = await makeSkopeo(() => berth.logTail());
  await admin.login(berth.host, await berth.loginPassword());
  work = await mkdtemp(path.join(tmpdir(), 'berth-e2e-access-'));
  layout = path.join(work, 'layout');
  await writeLayout(layout, 'v1', makeImage({ layerBytes: 32 * 1024 }));
  await admin.ok(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${berth.host}/shared/app:v1`]);
});

after(async () => {
  await berth?.stop();
  await admin?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const policyFile = async (name: string, document: object): Promise<string> => {
  const file = path.join(work, `${name}.json`);
  await writeFile(file, JSON.stringify(document));
  return `file://${file}`;
};

for (const cli of awsClis()) {
  test(`${cli.name}: aws iam manages users, keys and inline policies; aws sts names the caller`, async () => {
    const name = cli.path === '/usr/bin/aws' ? 'iam-v2' : 'iam-v1';
    const created = await awsJson<{ User: { Arn: string; UserName: string } }>(cli, berth.url, ['iam', 'create-user', '--user-name', name]);
    assert.equal(created.User.Arn, `arn:aws:iam::${ACCOUNT}:user/${name}`);
    const key = await awsJson<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(cli, berth.url, ['iam', 'create-access-key', '--user-name', name]);
    const userKey = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };
    const whoami = await awsJson<{ Arn: string; Account: string }>(cli, berth.url, ['sts', 'get-caller-identity'], userKey);
    assert.deepEqual([whoami.Arn, whoami.Account], [`arn:aws:iam::${ACCOUNT}:user/${name}`, ACCOUNT]);
    const denied = await aws(cli, berth.url, ['ecr', 'describe-registry'], userKey);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /AccessDeniedException/, describeRun(denied));

    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:DescribeRegistry', Resource: '*' }] };
    await awsJson(cli, berth.url, ['iam', 'put-user-policy', '--user-name', name, '--policy-name', 'describe', '--policy-document', await policyFile(name, doc)]);
    const back = await awsJson<{ PolicyDocument: unknown }>(cli, berth.url, ['iam', 'get-user-policy', '--user-name', name, '--policy-name', 'describe']);
    assert.deepEqual(back.PolicyDocument, doc);
    assert.equal((await awsJson<{ registryId: string }>(cli, berth.url, ['ecr', 'describe-registry'], userKey)).registryId, ACCOUNT);

    const users = await awsJson<{ Users: { UserName: string }[] }>(cli, berth.url, ['iam', 'list-users']);
    assert.ok(users.Users.some((u) => u.UserName === name));
    const conflict = await aws(cli, berth.url, ['iam', 'delete-user', '--user-name', name]);
    assert.match(conflict.stderr, /DeleteConflict/, describeRun(conflict));
    await awsJson(cli, berth.url, ['iam', 'delete-access-key', '--user-name', name, '--access-key-id', userKey.accessKeyId]);
    await awsJson(cli, berth.url, ['iam', 'delete-user-policy', '--user-name', name, '--policy-name', 'describe']);
    await awsJson(cli, berth.url, ['iam', 'delete-user', '--user-name', name]);
    const gone = await aws(cli, berth.url, ['iam', 'get-user', '--user-name', name]);
    assert.match(gone.stderr, /NoSuchEntity/, describeRun(gone));
  });
}

test('a second user is denied the pull until a repository policy grants it, then pulls', async () => {
  const cli = awsClis()[0]!;
  await awsJson(cli, berth.url, ['iam', 'create-user', '--user-name', 'reader']);
  const key = await awsJson<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string } }>(cli, berth.url, ['iam', 'create-access-key', '--user-name', 'reader']);
  const reader = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };
  const login = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] };
  await awsJson(cli, berth.url, ['iam', 'put-user-policy', '--user-name', 'reader', '--policy-name', 'login', '--policy-document', await policyFile('login', login)]);
  const password = await aws(cli, berth.url, ['ecr', 'get-login-password'], reader);
  assert.equal(password.code, 0, describeRun(password));

  const skopeo = await makeSkopeo(() => berth.logTail());
  try {
    await skopeo.login(berth.host, password.stdout.trim());
    const target = `oci:${path.join(work, 'pulled')}:v1`;
    const refused = await skopeo.run(['copy', '--src-tls-verify=false', `docker://${berth.host}/shared/app:v1`, target]);
    assert.notEqual(refused.code, 0, 'the pull is denied without a grant');
    assert.match(refused.stderr, /denied|unauthorized|403/i, describeRun(refused));

    const grant = { Version: '2012-10-17', Statement: [{ Sid: 'reader', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/reader` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] }] };
    await awsJson(cli, berth.url, ['ecr', 'set-repository-policy', '--repository-name', 'shared/app', '--policy-text', await policyFile('grant', grant)]);
    await skopeo.ok(['copy', '--src-tls-verify=false', `docker://${berth.host}/shared/app:v1`, target]);
    const push = await skopeo.run(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${berth.host}/shared/app:v2`]);
    assert.notEqual(push.code, 0, 'pull rights are not push rights');
  } finally {
    await skopeo.cleanup();
  }
});

test('a public repository pulls anonymously and refuses an anonymous push', async () => {
  const cli = awsClis()[0]!;
  await admin.ok(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${berth.host}/public/app:v1`]);
  const anonymous = await makeSkopeo(() => berth.logTail());
  try {
    const target = `oci:${path.join(work, 'anonymous')}:v1`;
    const before = await anonymous.run(['copy', '--src-tls-verify=false', `docker://${berth.host}/public/app:v1`, target]);
    assert.notEqual(before.code, 0, 'private until a policy opens it');
    const open = { Version: '2012-10-17', Statement: [{ Sid: 'public', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:ListImages'] }] };
    await awsJson(cli, berth.url, ['ecr', 'set-repository-policy', '--repository-name', 'public/app', '--policy-text', await policyFile('public', open)]);
    await anonymous.ok(['copy', '--src-tls-verify=false', `docker://${berth.host}/public/app:v1`, target]);
    const tags = JSON.parse((await anonymous.ok(['list-tags', '--tls-verify=false', `docker://${berth.host}/public/app`])).stdout) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['v1']);
    const push = await anonymous.run(['copy', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${berth.host}/public/app:v2`]);
    assert.notEqual(push.code, 0, 'an anonymous push is refused');
    assert.match(push.stderr, /unauthorized|authentication required|401/i, describeRun(push));
  } finally {
    await anonymous.cleanup();
  }
});
