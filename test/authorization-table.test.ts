// Table-driven authorization: every /v2 route and every ECR operation, for each kind of principal and
// policy outcome. "allowed" means the request got past authorization (whatever the operation answered
// next); denied callers get 403 DENIED / AccessDeniedException, callers without credentials 401.
import assert from 'node:assert/strict';
import { before, after, describe, test } from 'node:test';
import { ECR_INPUTS } from '../src/contracts/ecr-inputs.js';
import { ecr, query } from './helpers/ecr-client.js';
import { image } from './helpers/images.js';
import { pushImage } from './helpers/oci-client.js';
import { startTestRegistry, TEST_ACCOUNT, type TestRegistry } from './helpers/test-registry.js';

type Outcome = 'allowed' | 'denied' | 'unauthenticated';
type PrincipalKind = 'root' | 'user with allow' | 'user with allow and deny' | 'user without policy' | 'anonymous';

const REPO = 'table/app';
const ARN = `arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/${REPO}`;
let r: TestRegistry;
let digest: string;
let layer: string;
const auth: Partial<Record<PrincipalKind, string>> = {};
const keys: Partial<Record<PrincipalKind, { accessKeyId: string; secretAccessKey: string }>> = {};

/** The /v2 routes with the action each needs (INTERFACES.md's table), as requests. */
const ROUTES: { name: string; action: string; method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'; url: () => string; body?: () => Buffer }[] = [
  { name: 'GET manifest', action: 'ecr:BatchGetImage', method: 'GET', url: () => `/v2/${REPO}/manifests/v1` },
  { name: 'HEAD manifest', action: 'ecr:BatchGetImage', method: 'HEAD', url: () => `/v2/${REPO}/manifests/v1` },
  { name: 'GET referrers', action: 'ecr:BatchGetImage', method: 'GET', url: () => `/v2/${REPO}/referrers/${digest}` },
  { name: 'GET blob', action: 'ecr:GetDownloadUrlForLayer', method: 'GET', url: () => `/v2/${REPO}/blobs/${layer}` },
  { name: 'HEAD blob', action: 'ecr:BatchCheckLayerAvailability', method: 'HEAD', url: () => `/v2/${REPO}/blobs/${layer}` },
  { name: 'POST upload', action: 'ecr:InitiateLayerUpload', method: 'POST', url: () => `/v2/${REPO}/blobs/uploads/` },
  { name: 'PATCH upload', action: 'ecr:UploadLayerPart', method: 'PATCH', url: () => `/v2/${REPO}/blobs/uploads/00000000-0000-0000-0000-000000000000` },
  { name: 'GET upload', action: 'ecr:UploadLayerPart', method: 'GET', url: () => `/v2/${REPO}/blobs/uploads/00000000-0000-0000-0000-000000000000` },
  { name: 'DELETE upload', action: 'ecr:UploadLayerPart', method: 'DELETE', url: () => `/v2/${REPO}/blobs/uploads/00000000-0000-0000-0000-000000000000` },
  { name: 'PUT upload', action: 'ecr:CompleteLayerUpload', method: 'PUT', url: () => `/v2/${REPO}/blobs/uploads/00000000-0000-0000-0000-000000000000?digest=${layer}` },
  { name: 'PUT manifest', action: 'ecr:PutImage', method: 'PUT', url: () => `/v2/${REPO}/manifests/v9`, body: () => Buffer.from('{}') },
  { name: 'DELETE manifest', action: 'ecr:BatchDeleteImage', method: 'DELETE', url: () => `/v2/${REPO}/manifests/${'sha256:' + '0'.repeat(64)}` },
  { name: 'DELETE blob', action: 'ecr:BatchDeleteImage', method: 'DELETE', url: () => `/v2/${REPO}/blobs/${'sha256:' + '0'.repeat(64)}` },
  { name: 'GET tags/list', action: 'ecr:ListImages', method: 'GET', url: () => `/v2/${REPO}/tags/list` },
];

/** A harmless input for each ECR operation on the table's repository (most fail after authorization). */
const ECR_CALLS: Record<keyof typeof ECR_INPUTS, () => Record<string, unknown>> = {
  CreateRepository: () => ({ repositoryName: `${REPO}-new` }),
  DescribeRepositories: () => ({ repositoryNames: [REPO] }),
  DeleteRepository: () => ({ repositoryName: 'table/none' }),
  PutImageTagMutability: () => ({ repositoryName: 'table/none', imageTagMutability: 'MUTABLE' }),
  PutLifecyclePolicy: () => ({ repositoryName: 'table/none', lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }) }),
  GetLifecyclePolicy: () => ({ repositoryName: REPO }),
  DeleteLifecyclePolicy: () => ({ repositoryName: 'table/none' }),
  StartLifecyclePolicyPreview: () => ({ repositoryName: REPO }),
  GetLifecyclePolicyPreview: () => ({ repositoryName: REPO }),
  PutImageScanningConfiguration: () => ({ repositoryName: 'table/none', imageScanningConfiguration: { scanOnPush: true } }),
  PutRegistryScanningConfiguration: () => ({ scanType: 'BASIC', rules: [] }),
  GetRegistryScanningConfiguration: () => ({}),
  BatchGetRepositoryScanningConfiguration: () => ({ repositoryNames: [REPO] }),
  StartImageScan: () => ({ repositoryName: 'table/none', imageId: { imageTag: 'v1' } }),
  DescribeImageScanFindings: () => ({ repositoryName: REPO, imageId: { imageTag: 'none' } }),
  TagResource: () => ({ resourceArn: ARN, tags: [] }),
  UntagResource: () => ({ resourceArn: ARN, tagKeys: ['none'] }),
  ListTagsForResource: () => ({ resourceArn: ARN }),
  DescribeImages: () => ({ repositoryName: REPO }),
  ListImages: () => ({ repositoryName: REPO }),
  BatchGetImage: () => ({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }),
  BatchDeleteImage: () => ({ repositoryName: REPO, imageIds: [{ imageTag: 'none' }] }),
  PutImage: () => ({ repositoryName: REPO, imageManifest: '{}', imageTag: 'v9' }),
  BatchCheckLayerAvailability: () => ({ repositoryName: REPO, layerDigests: [layer] }),
  InitiateLayerUpload: () => ({ repositoryName: REPO }),
  UploadLayerPart: () => ({ repositoryName: REPO, uploadId: '00000000-0000-0000-0000-000000000000', partFirstByte: 0, partLastByte: 0, layerPartBlob: 'AA==' }),
  CompleteLayerUpload: () => ({ repositoryName: REPO, uploadId: '00000000-0000-0000-0000-000000000000', layerDigests: [layer] }),
  GetDownloadUrlForLayer: () => ({ repositoryName: REPO, layerDigest: layer }),
  SetRepositoryPolicy: () => ({ repositoryName: 'table/none', policyText: '{}' }),
  GetRepositoryPolicy: () => ({ repositoryName: REPO }),
  DeleteRepositoryPolicy: () => ({ repositoryName: 'table/none' }),
  PutRegistryPolicy: () => ({ policyText: '{}' }),
  GetRegistryPolicy: () => ({}),
  DeleteRegistryPolicy: () => ({}),
  DescribeRegistry: () => ({}),
  GetAuthorizationToken: () => ({}),
};

async function makeUser(name: string, statements: object[]): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  await query(r.app, 'iam', 'CreateUser', { UserName: name });
  const key = await query(r.app, 'iam', 'CreateAccessKey', { UserName: name });
  if (statements.length > 0) {
    const put = await query(r.app, 'iam', 'PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) });
    assert.equal(put.status, 200, put.xml);
  }
  return { accessKeyId: /<AccessKeyId>(\w+)</.exec(key.xml)![1]!, secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(key.xml)![1]! };
}

/** A user's /v2 password, minted for the user by the API (its own GetAuthorizationToken needs a policy). */
async function passwordOf(name: string): Promise<string> {
  const { issueAuthorizationToken } = await import('../src/auth/tokens/authorization-token.js');
  return `Basic ${issueAuthorizationToken(r.controlPlane.identity.keyring, `arn:aws:iam::${TEST_ACCOUNT}:user/${name}`, Date.now()).token}`;
}

before(async () => {
  r = await startTestRegistry();
  const img = image().layers(1, 50).build();
  await pushImage(r.app, REPO, 'v1', img);
  digest = img.manifest.digest;
  layer = img.layers[0]!.digest;
  keys['root'] = undefined;
  auth['root'] = r.rootAuthorization;
  keys['user with allow'] = await makeUser('allowed', [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }]);
  keys['user with allow and deny'] = await makeUser('denied', [
    { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
    { Effect: 'Deny', Action: 'ecr:*', Resource: ARN },
    { Effect: 'Deny', Action: 'ecr:*', Resource: `${ARN}-new` },
    { Effect: 'Deny', NotAction: ['ecr:GetAuthorizationToken'], Resource: '*', Condition: { StringEquals: { 'aws:username': 'denied' } } },
  ]);
  keys['user without policy'] = await makeUser('nobody', []);
  auth['user with allow'] = await passwordOf('allowed');
  auth['user with allow and deny'] = await passwordOf('denied');
  auth['user without policy'] = await passwordOf('nobody');
});

after(() => r?.close());

const EXPECTED: Record<PrincipalKind, Outcome> = {
  root: 'allowed',
  'user with allow': 'allowed',
  'user with allow and deny': 'denied',
  'user without policy': 'denied',
  anonymous: 'unauthenticated',
};

describe('every /v2 route × principal', () => {
  for (const route of ROUTES) {
    for (const [kind, expected] of Object.entries(EXPECTED) as [PrincipalKind, Outcome][]) {
      test(`${route.name} (${route.action}) as ${kind}: ${expected}`, async () => {
        const headers: Record<string, string> = auth[kind] ? { authorization: auth[kind]! } : {};
        if (route.body) headers['content-type'] = 'application/vnd.oci.image.manifest.v1+json';
        const res = await r.anonymous.inject({ method: route.method, url: route.url(), headers, ...(route.body ? { payload: route.body() } : {}) });
        const outcome: Outcome = res.statusCode === 401 ? 'unauthenticated' : res.statusCode === 403 ? 'denied' : 'allowed';
        assert.equal(outcome, expected, `${route.method} ${route.url()} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      });
    }
  }
});

describe('every ECR operation × principal', () => {
  for (const operation of Object.keys(ECR_CALLS) as (keyof typeof ECR_CALLS)[]) {
    for (const [kind, expected] of Object.entries(EXPECTED) as [PrincipalKind, Outcome][]) {
      // GetAuthorizationToken is exempt from the deny user's NotAction Deny, and granted by its Allow.
      const want: Outcome = operation === 'GetAuthorizationToken' && kind === 'user with allow and deny' ? 'allowed' : expected;
      test(`ecr:${operation} as ${kind}: ${want}`, async () => {
        const res = await ecr(r.app, operation, ECR_CALLS[operation](), kind === 'anonymous' ? { unsigned: true } : keys[kind] ? { key: keys[kind] } : {});
        const outcome: Outcome =
          res.error === 'MissingAuthenticationTokenException' ? 'unauthenticated' : res.error === 'AccessDeniedException' ? 'denied' : 'allowed';
        assert.equal(outcome, want, `${operation} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      });
    }
  }
});
