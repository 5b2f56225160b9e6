import { structure, type Infer, type Schema } from './wire-schema.js';

// ECR's input shapes, from the service model (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/ecr.json).

export const REPOSITORY_NAME_PATTERN = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';

const registryId = { type: 'string', pattern: '[0-9]{12}' } as const satisfies Schema;
const repositoryName = { type: 'string', min: 2, max: 256, pattern: REPOSITORY_NAME_PATTERN } as const satisfies Schema;
const maxResults = { type: 'integer', min: 1, max: 1000 } as const satisfies Schema;
const nextToken = { type: 'string' } as const satisfies Schema;
const tagList = { type: 'list', member: structure({ Key: { type: 'string' }, Value: { type: 'string' } }, ['Key', 'Value']) } as const satisfies Schema;
const imageIds = {
  type: 'list',
  min: 1,
  max: 100,
  member: structure({ imageDigest: { type: 'string' }, imageTag: { type: 'string', min: 1, max: 300 } }),
} as const satisfies Schema;
const tagStatus = { type: 'string', enum: ['TAGGED', 'UNTAGGED', 'ANY'] } as const satisfies Schema;
const layerDigest = { type: 'string', pattern: '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+' } as const satisfies Schema;
const uploadId = { type: 'string', pattern: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}' } as const satisfies Schema;
const policyText = { type: 'string', min: 0, max: 10240 } as const satisfies Schema;
const partSize = { type: 'integer', min: 0 } as const satisfies Schema;

const imageTagMutability = { type: 'string', enum: ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'] } as const satisfies Schema;
const imageTagMutabilityExclusionFilters = {
  type: 'list',
  min: 1,
  max: 5,
  member: structure({ filterType: { type: 'string', enum: ['WILDCARD'] }, filter: { type: 'string', min: 1, max: 128, pattern: '[0-9a-zA-Z._*-]{1,128}' } }, ['filterType', 'filter']),
} as const satisfies Schema;

const scanningRule = structure(
  {
    scanFrequency: { type: 'string', enum: ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL'] },
    repositoryFilters: {
      type: 'list',
      min: 0,
      max: 100,
      member: structure({ filter: { type: 'string', min: 1, max: 256, pattern: '[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*' }, filterType: { type: 'string', enum: ['WILDCARD'] } }, ['filter', 'filterType']),
    },
  },
  ['scanFrequency', 'repositoryFilters'],
);
const imageId = structure({ imageDigest: { type: 'string' }, imageTag: { type: 'string', min: 1, max: 300 } });
const lifecyclePolicyText = { type: 'string', min: 100, max: 30720 } as const satisfies Schema;

export const ECR_INPUTS = {
  CreateRepository: structure(
    {
      registryId,
      repositoryName,
      tags: tagList,
      imageTagMutability,
      imageTagMutabilityExclusionFilters,
      imageScanningConfiguration: structure({ scanOnPush: { type: 'boolean' } }),
      encryptionConfiguration: structure({ encryptionType: { type: 'string', enum: ['AES256', 'KMS', 'KMS_DSSE'] }, kmsKey: { type: 'string', min: 1, max: 2048 } }, ['encryptionType']),
    },
    ['repositoryName'],
  ),
  DescribeRepositories: structure({ registryId, repositoryNames: { type: 'list', min: 1, max: 100, member: repositoryName }, nextToken, maxResults }),
  PutImageTagMutability: structure({ registryId, repositoryName, imageTagMutability, imageTagMutabilityExclusionFilters }, ['repositoryName', 'imageTagMutability']),
  PutLifecyclePolicy: structure({ registryId, repositoryName, lifecyclePolicyText }, ['repositoryName', 'lifecyclePolicyText']),
  GetLifecyclePolicy: structure({ registryId, repositoryName }, ['repositoryName']),
  DeleteLifecyclePolicy: structure({ registryId, repositoryName }, ['repositoryName']),
  StartLifecyclePolicyPreview: structure({ registryId, repositoryName, lifecyclePolicyText }, ['repositoryName']),
  GetLifecyclePolicyPreview: structure({ registryId, repositoryName, imageIds, nextToken, maxResults, filter: structure({ tagStatus }) }, ['repositoryName']),
  PutImageScanningConfiguration: structure({ registryId, repositoryName, imageScanningConfiguration: structure({ scanOnPush: { type: 'boolean' } }) }, ['repositoryName', 'imageScanningConfiguration']),
  PutRegistryScanningConfiguration: structure({ scanType: { type: 'string', enum: ['BASIC', 'ENHANCED'] }, rules: { type: 'list', min: 0, max: 2, member: scanningRule } }),
  GetRegistryScanningConfiguration: structure({}),
  BatchGetRepositoryScanningConfiguration: structure({ repositoryNames: { type: 'list', min: 1, max: 25, member: repositoryName } }, ['repositoryNames']),
  StartImageScan: structure({ registryId, repositoryName, imageId }, ['repositoryName', 'imageId']),
  DescribeImageScanFindings: structure({ registryId, repositoryName, imageId, nextToken, maxResults: { type: 'integer', min: 1, max: 1000 } }, ['repositoryName', 'imageId']),
  DeleteRepository: structure({ registryId, repositoryName, force: { type: 'boolean' } }, ['repositoryName']),
  TagResource: structure({ resourceArn: { type: 'string' }, tags: tagList }, ['resourceArn', 'tags']),
  UntagResource: structure({ resourceArn: { type: 'string' }, tagKeys: { type: 'list', member: { type: 'string' } } }, ['resourceArn', 'tagKeys']),
  ListTagsForResource: structure({ resourceArn: { type: 'string' } }, ['resourceArn']),
  DescribeImages: structure({ registryId, repositoryName, imageIds, nextToken, maxResults, filter: structure({ tagStatus }) }, ['repositoryName']),
  ListImages: structure({ registryId, repositoryName, nextToken, maxResults, filter: structure({ tagStatus }) }, ['repositoryName']),
  BatchGetImage: structure(
    { registryId, repositoryName, imageIds, acceptedMediaTypes: { type: 'list', min: 1, max: 100, member: { type: 'string' } } },
    ['repositoryName', 'imageIds'],
  ),
  BatchDeleteImage: structure({ registryId, repositoryName, imageIds }, ['repositoryName', 'imageIds']),
  PutImage: structure(
    {
      registryId,
      repositoryName,
      imageManifest: { type: 'string', min: 1, max: 4194304 },
      imageManifestMediaType: { type: 'string' },
      imageTag: { type: 'string', min: 1, max: 300 },
      imageDigest: { type: 'string' },
    },
    ['repositoryName', 'imageManifest'],
  ),
  BatchCheckLayerAvailability: structure(
    { registryId, repositoryName, layerDigests: { type: 'list', min: 1, max: 100, member: { type: 'string', min: 0, max: 1000 } } },
    ['repositoryName', 'layerDigests'],
  ),
  InitiateLayerUpload: structure({ registryId, repositoryName }, ['repositoryName']),
  UploadLayerPart: structure(
    // layerPartBlob is a blob: base64 text on the wire, at most 20 MiB once decoded.
    { registryId, repositoryName, uploadId, partFirstByte: partSize, partLastByte: partSize, layerPartBlob: { type: 'string', max: 27962028 } },
    ['repositoryName', 'uploadId', 'partFirstByte', 'partLastByte', 'layerPartBlob'],
  ),
  CompleteLayerUpload: structure(
    { registryId, repositoryName, uploadId, layerDigests: { type: 'list', min: 1, max: 100, member: layerDigest } },
    ['repositoryName', 'uploadId', 'layerDigests'],
  ),
  GetDownloadUrlForLayer: structure({ registryId, repositoryName, layerDigest }, ['repositoryName', 'layerDigest']),
  SetRepositoryPolicy: structure({ registryId, repositoryName, policyText, force: { type: 'boolean' } }, ['repositoryName', 'policyText']),
  GetRepositoryPolicy: structure({ registryId, repositoryName }, ['repositoryName']),
  DeleteRepositoryPolicy: structure({ registryId, repositoryName }, ['repositoryName']),
  PutRegistryPolicy: structure({ policyText }, ['policyText']),
  GetRegistryPolicy: structure({}),
  DeleteRegistryPolicy: structure({}),
  DescribeRegistry: structure({}),
  GetAuthorizationToken: structure({ registryIds: { type: 'list', min: 1, max: 10, member: registryId } }),
} as const;

export type EcrOperation = keyof typeof ECR_INPUTS;
export type EcrInput<O extends EcrOperation> = Infer<(typeof ECR_INPUTS)[O]>;
