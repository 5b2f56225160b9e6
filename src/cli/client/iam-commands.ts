import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { describeAwsError } from './authorization.js';
import type { ClientTarget } from './endpoint.js';
import { ClientUsageError } from './usage-error.js';

/**
 * `berth users list|create NAME|delete NAME` and `berth keys list|create USER`, `berth keys
 * delete|activate|deactivate USER KEY_ID`: the IAM API for people without the AWS CLI. Returns what to print.
 */
export async function runIamCommand(target: ClientTarget, noun: 'users' | 'keys', args: string[]): Promise<string> {
  const [verb, name, keyId, extra] = args;
  const need = (count: number, usage: string): void => {
    if (args.length !== count || extra !== undefined) throw new ClientUsageError(`usage: berth ${noun} ${usage}`);
  };
  const client = new IAMClient({ endpoint: target.endpoint, region: target.region });
  try {
    if (noun === 'users') {
      switch (verb) {
        case 'list': {
          need(1, 'list');
          const users = (await client.send(new ListUsersCommand({}))).Users ?? [];
          return users.map((u) => `${u.UserName}\t${u.Arn}\t${u.CreateDate?.toISOString() ?? ''}`).join('\n');
        }
        case 'create':
          need(2, 'create NAME');
          return (await client.send(new CreateUserCommand({ UserName: name }))).User?.Arn ?? '';
        case 'delete':
          need(2, 'delete NAME');
          await client.send(new DeleteUserCommand({ UserName: name }));
          return `deleted user ${name}`;
      }
      throw new ClientUsageError('usage: berth users list | create NAME | delete NAME');
    }
    switch (verb) {
      case 'list': {
        need(2, 'list USER');
        const keys = (await client.send(new ListAccessKeysCommand({ UserName: name }))).AccessKeyMetadata ?? [];
        return keys.map((k) => `${k.AccessKeyId}\t${k.Status}\t${k.CreateDate?.toISOString() ?? ''}`).join('\n');
      }
      case 'create': {
        need(2, 'create USER');
        const key = (await client.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
        // In the AWS credentials file format, to paste under a [profile]; the secret is shown only now.
        return `aws_access_key_id = ${key?.AccessKeyId}\naws_secret_access_key = ${key?.SecretAccessKey}`;
      }
      case 'delete':
        need(3, 'delete USER KEY_ID');
        await client.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: keyId }));
        return `deleted key ${keyId}`;
      case 'activate':
      case 'deactivate':
        need(3, `${verb} USER KEY_ID`);
        await client.send(new UpdateAccessKeyCommand({ UserName: name, AccessKeyId: keyId, Status: verb === 'activate' ? 'Active' : 'Inactive' }));
        return `${keyId} is ${verb === 'activate' ? 'Active' : 'Inactive'}`;
    }
    throw new ClientUsageError('usage: berth keys list USER | create USER | delete USER KEY_ID | activate USER KEY_ID | deactivate USER KEY_ID');
  } catch (err) {
    if (err instanceof ClientUsageError) throw err;
    throw new Error(describeAwsError(err));
  } finally {
    client.destroy();
  }
}
