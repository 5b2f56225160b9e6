import { structure, type Infer, type Schema } from './wire-schema.js';

// IAM's (2010-05-08) and STS's (2011-06-15) input shapes for the operations Berth serves, from the service models.

const userName = { type: 'string', min: 1, max: 64, pattern: '[\\w+=,.@-]+' } as const satisfies Schema;
const existingUserName = { type: 'string', min: 1, max: 128, pattern: '[\\w+=,.@-]+' } as const satisfies Schema;
const path = { type: 'string', min: 1, max: 512, pattern: '(/)|(/[\\u0021-\\u007F]+/)' } as const satisfies Schema;
const marker = { type: 'string', min: 1, max: 320 } as const satisfies Schema;
const maxItems = { type: 'integer', min: 1, max: 1000 } as const satisfies Schema;
const accessKeyId = { type: 'string', min: 16, max: 128, pattern: '[\\w]+' } as const satisfies Schema;
const policyName = { type: 'string', min: 1, max: 128, pattern: '[\\w+=,.@-]+' } as const satisfies Schema;

export const IAM_INPUTS = {
  CreateUser: structure({ Path: path, UserName: userName }, ['UserName']),
  GetUser: structure({ UserName: existingUserName }),
  ListUsers: structure({ PathPrefix: { type: 'string', min: 1, max: 512, pattern: '/[\\u0021-\\u007F]*' }, Marker: marker, MaxItems: maxItems }),
  DeleteUser: structure({ UserName: existingUserName }, ['UserName']),
  CreateAccessKey: structure({ UserName: existingUserName }),
  ListAccessKeys: structure({ UserName: existingUserName, Marker: marker, MaxItems: maxItems }),
  UpdateAccessKey: structure({ UserName: existingUserName, AccessKeyId: accessKeyId, Status: { type: 'string', enum: ['Active', 'Inactive'] } }, ['AccessKeyId', 'Status']),
  DeleteAccessKey: structure({ UserName: existingUserName, AccessKeyId: accessKeyId }, ['AccessKeyId']),
  PutUserPolicy: structure({ UserName: existingUserName, PolicyName: policyName, PolicyDocument: { type: 'string', min: 1, max: 131072 } }, ['UserName', 'PolicyName', 'PolicyDocument']),
  GetUserPolicy: structure({ UserName: existingUserName, PolicyName: policyName }, ['UserName', 'PolicyName']),
  ListUserPolicies: structure({ UserName: existingUserName, Marker: marker, MaxItems: maxItems }, ['UserName']),
  DeleteUserPolicy: structure({ UserName: existingUserName, PolicyName: policyName }, ['UserName', 'PolicyName']),
} as const;

export const STS_INPUTS = {
  GetCallerIdentity: structure({}),
} as const;

export type IamOperation = keyof typeof IAM_INPUTS;
export type IamInput<O extends IamOperation> = Infer<(typeof IAM_INPUTS)[O]>;
