import { ECR_INPUTS, type EcrInput, type EcrOperation } from '../../contracts/ecr-inputs.js';
import type { Call, ControlPlane } from '../../controlplane/control-plane.js';
import { batchDeleteImage, batchGetImage, describeImages, listImages, putImage } from '../../controlplane/images.js';
import { batchCheckLayerAvailability, completeLayerUpload, getDownloadUrlForLayer, initiateLayerUpload, uploadLayerPart } from '../../controlplane/layers.js';
import {
  deleteRegistryPolicy,
  deleteRepositoryPolicyOp,
  getRegistryPolicy,
  getRepositoryPolicyOp,
  putRegistryPolicy,
  setRepositoryPolicyOp,
} from '../../controlplane/policies.js';
import { describeRegistry, getAuthorizationToken } from '../../controlplane/registry-info.js';
import {
  batchGetRepositoryScanningConfiguration,
  describeImageScanFindings,
  getRegistryScanningConfiguration,
  putImageScanningConfiguration,
  putRegistryScanningConfiguration,
  startImageScan,
} from '../../controlplane/scanning.js';
import { deleteLifecyclePolicy, getLifecyclePolicy, getLifecyclePolicyPreview, putLifecyclePolicy, startLifecyclePolicyPreview } from '../../controlplane/lifecycle.js';
import { createRepository, deleteRepository, describeRepositories, putImageTagMutability } from '../../controlplane/repositories.js';
import { listTagsForResource, tagResource, untagResource } from '../../controlplane/resource-tags.js';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

type Handler<O extends EcrOperation> = (cp: ControlPlane, call: Call, input: EcrInput<O>) => Promise<unknown>;

/** Every ECR operation served, by name. The IAM action is ecr:<name>; the input schema is ECR_INPUTS[name]. */
export const ECR_OPERATIONS: { readonly [O in EcrOperation]: Handler<O> } = {
  CreateRepository: createRepository,
  DescribeRepositories: describeRepositories,
  DeleteRepository: deleteRepository,
  PutImageTagMutability: putImageTagMutability,
  PutLifecyclePolicy: putLifecyclePolicy,
  GetLifecyclePolicy: getLifecyclePolicy,
  DeleteLifecyclePolicy: deleteLifecyclePolicy,
  StartLifecyclePolicyPreview: startLifecyclePolicyPreview,
  GetLifecyclePolicyPreview: getLifecyclePolicyPreview,
  PutImageScanningConfiguration: putImageScanningConfiguration,
  PutRegistryScanningConfiguration: putRegistryScanningConfiguration,
  GetRegistryScanningConfiguration: (cp) => getRegistryScanningConfiguration(cp),
  BatchGetRepositoryScanningConfiguration: batchGetRepositoryScanningConfiguration,
  StartImageScan: startImageScan,
  DescribeImageScanFindings: describeImageScanFindings,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  DescribeImages: describeImages,
  ListImages: listImages,
  BatchGetImage: batchGetImage,
  BatchDeleteImage: batchDeleteImage,
  PutImage: putImage,
  BatchCheckLayerAvailability: batchCheckLayerAvailability,
  InitiateLayerUpload: initiateLayerUpload,
  UploadLayerPart: uploadLayerPart,
  CompleteLayerUpload: completeLayerUpload,
  GetDownloadUrlForLayer: getDownloadUrlForLayer,
  SetRepositoryPolicy: setRepositoryPolicyOp,
  GetRepositoryPolicy: getRepositoryPolicyOp,
  DeleteRepositoryPolicy: deleteRepositoryPolicyOp,
  PutRegistryPolicy: putRegistryPolicy,
  GetRegistryPolicy: (cp) => getRegistryPolicy(cp),
  DeleteRegistryPolicy: (cp) => deleteRegistryPolicy(cp),
  DescribeRegistry: (cp) => describeRegistry(cp),
  GetAuthorizationToken: getAuthorizationToken,
};

export function isEcrOperation(name: string): name is EcrOperation {
  return Object.hasOwn(ECR_INPUTS, name);
}
