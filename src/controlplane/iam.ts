import { userPrincipal } from '../auth/principal.js';
import {
  createAccessKey,
  createRootAccessKey,
  createUser,
  deleteAccessKey,
  deleteUser,
  deleteUserPolicy,
  getUserPolicy,
  listAccessKeys,
  listRootKeys,
  listUserPolicies,
  listUsers,
  putUserPolicy,
  requireUser,
  setAccessKeyStatus,
  type UserRow,
} from '../auth/users.service.js';
import type { IamInput } from '../contracts/iam-inputs.js';
import { RegistryError } from '../core/errors.js';
import { accountOf, type Call, type ControlPlane } from './control-plane.js';
import { decodeToken, encodeToken } from './pagination.js';

// The IAM operations Berth serves (AWS Query protocol, 2010-05-08), one function each. Outputs are the
// members of <Op>Result; undefined means the operation has no result element.

function userShape(cp: ControlPlane, user: UserRow) {
  const principal = userPrincipal(accountOf(cp), user);
  return { Path: user.path, UserName: user.name, UserId: user.user_id, Arn: principal.kind === 'user' ? principal.arn : '', CreateDate: new Date(user.created_at) };
}

/** The user named, or the caller when no name is given (the root answers for itself where IAM lets it). */
async function targetUser(cp: ControlPlane, call: Call, name: string | undefined): Promise<UserRow | 'root'> {
  if (name !== undefined) return requireUser(cp.identity, name);
  if (call.principal.kind === 'user') return requireUser(cp.identity, call.principal.userName);
  return 'root';
}

export async function createUserOp(cp: ControlPlane, _call: Call, input: IamInput<'CreateUser'>) {
  const user = await createUser(cp.identity, input.UserName, input.Path ?? '/', cp.clock.now().getTime());
  return { User: userShape(cp, user) };
}

export async function getUserOp(cp: ControlPlane, call: Call, input: IamInput<'GetUser'>) {
  const user = await targetUser(cp, call, input.UserName);
  if (user === 'root') return { User: { UserId: accountOf(cp), Arn: `arn:aws:iam::${accountOf(cp)}:root`, CreateDate: new Date(0) } };
  return { User: userShape(cp, user) };
}

export async function listUsersOp(cp: ControlPlane, _call: Call, input: IamInput<'ListUsers'>) {
  const after = decodeToken('users', input.Marker, 1)?.[0];
  const page = await listUsers(cp.identity, { pathPrefix: input.PathPrefix ?? '/', ...(after !== undefined ? { after } : {}), limit: input.MaxItems ?? 100 });
  const last = page.users.at(-1);
  return { Users: page.users.map((u) => userShape(cp, u)), IsTruncated: page.more, ...(page.more && last ? { Marker: encodeToken('users', [last.name]) } : {}) };
}

export async function deleteUserOp(cp: ControlPlane, _call: Call, input: IamInput<'DeleteUser'>) {
  await deleteUser(cp.identity, input.UserName);
  return undefined;
}

export async function createAccessKeyOp(cp: ControlPlane, call: Call, input: IamInput<'CreateAccessKey'>) {
  const user = await targetUser(cp, call, input.UserName);
  const now = cp.clock.now().getTime();
  if (user === 'root') {
    const key = await createRootAccessKey(cp.identity, now);
    return { AccessKey: { AccessKeyId: key.accessKeyId, Status: 'Active', SecretAccessKey: key.secretAccessKey, CreateDate: new Date(key.createdAt) } };
  }
  const key = await createAccessKey(cp.identity, user, now);
  return { AccessKey: { UserName: user.name, AccessKeyId: key.accessKeyId, Status: 'Active', SecretAccessKey: key.secretAccessKey, CreateDate: new Date(key.createdAt) } };
}

export async function listAccessKeysOp(cp: ControlPlane, call: Call, input: IamInput<'ListAccessKeys'>) {
  const user = await targetUser(cp, call, input.UserName);
  const keys = user === 'root' ? await listRootKeys(cp.identity) : await listAccessKeys(cp.identity, user);
  return {
    AccessKeyMetadata: keys.map((k) => ({ ...(user === 'root' ? {} : { UserName: user.name }), AccessKeyId: k.id, Status: k.status, CreateDate: new Date(k.created_at) })),
    IsTruncated: false,
  };
}

export async function updateAccessKeyOp(cp: ControlPlane, call: Call, input: IamInput<'UpdateAccessKey'>) {
  const user = await targetUser(cp, call, input.UserName);
  if (user === 'root') throw new RegistryError('INVALID_PARAMETER', "The account root's keys are managed with BERTH_ADMIN_ACCESS_KEY_ID; give UserName");
  await setAccessKeyStatus(cp.identity, user, input.AccessKeyId, input.Status);
  return undefined;
}

export async function deleteAccessKeyOp(cp: ControlPlane, call: Call, input: IamInput<'DeleteAccessKey'>) {
  const user = await targetUser(cp, call, input.UserName);
  if (user === 'root') throw new RegistryError('INVALID_PARAMETER', "The account root's keys are managed with BERTH_ADMIN_ACCESS_KEY_ID; give UserName");
  await deleteAccessKey(cp.identity, user, input.AccessKeyId);
  return undefined;
}

export async function putUserPolicyOp(cp: ControlPlane, _call: Call, input: IamInput<'PutUserPolicy'>) {
  await putUserPolicy(cp.identity, await requireUser(cp.identity, input.UserName), input.PolicyName, input.PolicyDocument);
  return undefined;
}

export async function getUserPolicyOp(cp: ControlPlane, _call: Call, input: IamInput<'GetUserPolicy'>) {
  const user = await requireUser(cp.identity, input.UserName);
  const document = await getUserPolicy(cp.identity, user, input.PolicyName);
  // IAM returns the document URL-encoded (RFC 3986); the AWS CLI decodes it for display.
  return { UserName: user.name, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
}

export async function listUserPoliciesOp(cp: ControlPlane, _call: Call, input: IamInput<'ListUserPolicies'>) {
  const names = await listUserPolicies(cp.identity, await requireUser(cp.identity, input.UserName));
  return { PolicyNames: names, IsTruncated: false };
}

export async function deleteUserPolicyOp(cp: ControlPlane, _call: Call, input: IamInput<'DeleteUserPolicy'>) {
  await deleteUserPolicy(cp.identity, await requireUser(cp.identity, input.UserName), input.PolicyName);
  return undefined;
}

/** STS GetCallerIdentity: who signed the request. */
export async function getCallerIdentity(cp: ControlPlane, call: Call) {
  const principal = call.principal;
  if (principal.kind === 'anonymous') throw new RegistryError('CREDENTIALS_MISSING', 'Missing Authentication Token');
  return { UserId: principal.userId, Account: accountOf(cp), Arn: principal.arn };
}
