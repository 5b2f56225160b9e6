/** A Docker token scope action: what a bearer token may be granted on a repository. */
export type ScopeAction = 'pull' | 'push' | 'delete';

/** What a /v2 request needs: the IAM action on its repository, and the token scope action that covers it. */
export interface RequiredAccess {
  readonly action: string;
  readonly scope: ScopeAction;
}

/** The /v2 routes, as the OCI layer names them. */
export type OciRouteKind = 'catalog' | 'tags' | 'manifest' | 'blob' | 'uploads' | 'upload' | 'referrers';

/**
 * The one table from OCI route and method to ECR's IAM action (INTERFACES.md, "Route and operation →
 * IAM action"). Undefined: the method is not served on that route (the route answers for itself).
 */
export function requiredAccess(kind: OciRouteKind, method: string): RequiredAccess | undefined {
  const read = method === 'GET' || method === 'HEAD';
  switch (kind) {
    case 'catalog':
      return read ? { action: 'ecr:DescribeRepositories', scope: 'pull' } : undefined;
    case 'tags':
      return read ? { action: 'ecr:ListImages', scope: 'pull' } : undefined;
    case 'referrers':
      return read ? { action: 'ecr:BatchGetImage', scope: 'pull' } : undefined;
    case 'manifest':
      if (read) return { action: 'ecr:BatchGetImage', scope: 'pull' };
      if (method === 'PUT') return { action: 'ecr:PutImage', scope: 'push' };
      return method === 'DELETE' ? { action: 'ecr:BatchDeleteImage', scope: 'delete' } : undefined;
    case 'blob':
      if (method === 'GET') return { action: 'ecr:GetDownloadUrlForLayer', scope: 'pull' };
      if (method === 'HEAD') return { action: 'ecr:BatchCheckLayerAvailability', scope: 'pull' };
      return method === 'DELETE' ? { action: 'ecr:BatchDeleteImage', scope: 'delete' } : undefined;
    case 'uploads':
      return method === 'POST' ? { action: 'ecr:InitiateLayerUpload', scope: 'push' } : undefined;
    case 'upload':
      if (method === 'PUT') return { action: 'ecr:CompleteLayerUpload', scope: 'push' };
      return ['PATCH', 'GET', 'DELETE'].includes(method) ? { action: 'ecr:UploadLayerPart', scope: 'push' } : undefined;
  }
}

/** What a cross-repository mount needs on its source repository, besides the push on the target. */
export const MOUNT_SOURCE_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const;

/** The IAM actions a token scope action stands for, to decide what to grant at the token endpoint. */
export const SCOPE_ACTIONS: Record<ScopeAction, readonly string[]> = {
  pull: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  push: ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
  delete: ['ecr:BatchDeleteImage'],
};
