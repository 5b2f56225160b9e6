// The Docker daemon against the built server: `aws ecr get-login-password | docker login`, build FROM scratch,
// push, remove, pull back; the digest docker reports is the one the registry serves, and describe-images
// shows it; pushing to a second repository mounts the layer.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startBerth, type Berth } from './helpers/berth.js';
import { awsClis, awsEnv, awsJson } from './helpers/aws.js';
import { DOCKER, startDockerd, type Dockerd } from './helpers/dockerd.js';
import { makeImage, writeLayout } from './helpers/oci-layout.js';
import { describeRun, run } from './helpers/process.js';
import { makeSkopeo, type Skopeo } from './helpers/skopeo.js';

const LONG = { timeout: 600_000 };

let berth: Berth;
let dockerd: Dockerd;
let skopeo: Skopeo;
let work: string;
let image: string;
const payload = `hello from the berth e2e test ${randomBytes(16).toString('hex')}\n`;
let builtId = '';
let pushedDigest = '';

before(async () => {
  // The registry's port comes first: dockerd must list it among its insecure registries.
  berth = await startBerth();
  work = await mkdtemp(path.join(tmpdir(), 'berth-e2e-docker-work-'));
  skopeo = await makeSkopeo(() => berth.logTail());
  await skopeo.login(berth.host, await berth.loginPassword());
  dockerd = await startDockerd([berth.host], () => berth.logTail());
  image = `${berth.host}/e2e/docker-app:v1`;
});

test('docker login refuses a wrong password; aws ecr get-login-password | docker login succeeds', LONG, async () => {
  const wrong = await dockerd.docker(['login', '--username', 'AWS', '--password-stdin', berth.host], { input: 'not-a-registry-password' });
  assert.notEqual(wrong.code, 0, describeRun(wrong));
  assert.match(wrong.stderr, /unauthorized|401/i, describeRun(wrong));
  const anonymous = await dockerd.docker(['pull', `${berth.host}/e2e/nothing-here:v1`]);
  assert.notEqual(anonymous.code, 0, 'nothing is readable without credentials');

  // The seed's flow: create the repository, then the login pipeline exactly as ECR users type it.
  await awsJson(awsClis()[0]!, berth.url, ['ecr', 'create-repository', '--repository-name', 'e2e/docker-app']);
  const pipeline = `/usr/bin/aws --endpoint-url ${berth.url} ecr get-login-password | ${DOCKER} login --username AWS --password-stdin ${berth.host}`;
  const login = await run('bash', ['-o', 'pipefail', '-c', pipeline], { env: { ...awsEnv(), ...dockerd.env } });
  assert.equal(login.code, 0, describeRun(login));
  assert.match(login.stdout, /Login Succeeded/);
});

after(async () => {
  await dockerd?.stop();
  await berth?.stop();
  await skopeo?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function skopeoDigest(reference: string): Promise<string> {
  const result = await skopeo.ok(['inspect', '--tls-verify=false', `docker://${reference}`]);
  return (JSON.parse(result.stdout) as { Digest: string }).Digest;
}

test('docker builds a FROM scratch image and pushes it; the pushed digest is what the registry serves and describe-images shows', LONG, async () => {
  const context = path.join(work, 'context');
  await mkdir(context);
  await writeFile(path.join(context, 'hello.txt'), payload);
  await writeFile(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\nCMD ["/hello.txt"]\n');
  await dockerd.dockerOk(['build', '--tag', image, context]);
  builtId = (await dockerd.dockerOk(['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim();
  assert.match(builtId, /^sha256:[0-9a-f]{64}$/);

  const push = await dockerd.dockerOk(['push', image]);
  const match = /v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(push.stdout);
  assert.ok(match, `docker push reports the digest:\n${push.stdout}`);
  pushedDigest = match[1]!;

  const repoDigest = (await dockerd.dockerOk(['image', 'inspect', '--format', '{{index .RepoDigests 0}}', image])).stdout.trim();
  assert.equal(repoDigest, `${berth.host}/e2e/docker-app@${pushedDigest}`);
  assert.equal(await skopeoDigest(image), pushedDigest, 'skopeo inspect reports the digest docker pushed');

  const tags = JSON.parse((await skopeo.ok(['list-tags', '--tls-verify=false', `docker://${berth.host}/e2e/docker-app`])).stdout) as { Tags: string[] };
  assert.deepEqual(tags.Tags, ['v1']);

  const described = await awsJson<{ imageDetails: { imageDigest: string; imageTags: string[] }[] }>(awsClis()[0]!, berth.url, ['ecr', 'describe-images', '--repository-name', 'e2e/docker-app']);
  assert.deepEqual(described.imageDetails.map((d) => [d.imageDigest, d.imageTags]), [[pushedDigest, ['v1']]]);
});

test('docker removes the local image and pulls it back: same digest, same image, same file', LONG, async () => {
  assert.ok(pushedDigest, 'the push test ran first');
  await dockerd.dockerOk(['image', 'rm', image]);
  const gone = await dockerd.docker(['image', 'inspect', image]);
  assert.notEqual(gone.code, 0, `the image is gone locally before the pull: ${describeRun(gone)}`);

  const pull = await dockerd.dockerOk(['pull', image]);
  assert.match(pull.stdout, new RegExp(`Digest: ${pushedDigest}`), `docker pull reports the pushed digest:\n${pull.stdout}`);
  assert.match(pull.stdout, /Downloaded newer image/, pull.stdout);

  const repoDigest = (await dockerd.dockerOk(['image', 'inspect', '--format', '{{index .RepoDigests 0}}', image])).stdout.trim();
  assert.equal(repoDigest, `${berth.host}/e2e/docker-app@${pushedDigest}`);
  assert.equal(repoDigest.split('@')[1], await skopeoDigest(image), 'the pulled digest equals what skopeo inspect reports');
  const pulledId = (await dockerd.dockerOk(['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim();
  assert.equal(pulledId, builtId, 'the pulled image is the one that was built');

  // The file inside the pulled image is the one we built it with.
  await dockerd.dockerOk(['create', '--name', 'berth-e2e-check', image]);
  const out = path.join(work, 'extracted.txt');
  await dockerd.dockerOk(['cp', 'berth-e2e-check:/hello.txt', out]);
  assert.equal(await readFile(out, 'utf8'), payload);
  await dockerd.dockerOk(['rm', 'berth-e2e-check']);

  // Pull by digest works as well.
  await dockerd.dockerOk(['pull', `${berth.host}/e2e/docker-app@${pushedDigest}`]);
});

test('docker push to a second repository mounts the layer from the first', LONG, async () => {
  assert.ok(pushedDigest, 'the push test ran first');
  const copy = `${berth.host}/e2e/docker-copy:v1`;
  await dockerd.dockerOk(['tag', image, copy]);
  const push = await dockerd.dockerOk(['push', copy]);
  assert.match(push.stdout, /Mounted from e2e\/docker-app/, `docker reports the layer as mounted:\n${push.stdout}\n--- registry log ---\n${berth.logTail()}`);
  assert.match(push.stdout, new RegExp(`v1: digest: ${pushedDigest}`), push.stdout);
  assert.equal(await skopeoDigest(copy), pushedDigest);
});

test('docker pulls an OCI image that skopeo pushed', LONG, async () => {
  const layout = path.join(work, 'oci');
  const oci = makeImage({ layerBytes: 1024 * 1024 });
  await writeLayout(layout, 'latest', oci);
  const reference = `${berth.host}/e2e/oci-app:v1`;
  await skopeo.ok(['copy', '--dest-tls-verify=false', `oci:${layout}:latest`, `docker://${reference}`]);

  const pull = await dockerd.dockerOk(['pull', reference]);
  assert.match(pull.stdout, new RegExp(`Digest: ${oci.manifest.digest}`), pull.stdout);
  const id = (await dockerd.dockerOk(['image', 'inspect', '--format', '{{.Id}}', reference])).stdout.trim();
  assert.equal(id, oci.config.digest, 'docker image id is the config digest');

  await dockerd.dockerOk(['create', '--name', 'berth-e2e-oci', reference]);
  const out = path.join(work, 'payload.bin');
  await dockerd.dockerOk(['cp', 'berth-e2e-oci:/data/payload.bin', out]);
  const expected = oci.payload;
  assert.ok((await readFile(out)).equals(expected), 'the file in the pulled OCI image has the bytes we put in the layer');
  await dockerd.dockerOk(['rm', 'berth-e2e-oci']);
});

test('docker pulls with docker-credential-berth as its credential helper (credHelpers), with no stored login', LONG, async () => {
  assert.ok(pushedDigest, 'the push test ran first');
  const config = path.join(work, 'helper-config');
  const bin = path.join(work, 'helper-bin');
  await mkdir(config);
  await mkdir(bin);
  await writeFile(path.join(config, 'config.json'), JSON.stringify({ credHelpers: { [berth.host]: 'berth' } }));
  await symlink(path.resolve('bin', 'docker-credential-berth.js'), path.join(bin, 'docker-credential-berth'));
  const env = { ...awsEnv(), DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH ?? ''}` };
  await dockerd.dockerOk(['image', 'rm', '--force', image]);
  const pull = await dockerd.dockerOk(['pull', image], { env });
  assert.match(pull.stdout, new RegExp(`Digest: ${pushedDigest}`), pull.stdout);
  const stored = JSON.parse(await readFile(path.join(config, 'config.json'), 'utf8')) as { auths?: unknown };
  assert.equal(stored.auths, undefined, 'no password was written to the docker config');
});
