import type { EcrInput } from '../contracts/ecr-inputs.js';
import { RegistryError } from '../core/errors.js';
import { repositoryResourceTags, tagRepository, untagRepository } from '../registry/repositories.service.js';
import { accountOf, asEcr, type Call, type ControlPlane } from './control-plane.js';

export const MAX_RESOURCE_TAGS = 50;

/** ECR's tag rules (key 1-128, value 0-256 characters, no aws: prefix), as { key, value }. */
export function checkResourceTags(tags: readonly { Key: string; Value: string }[]): { key: string; value: string }[] {
  const seen = new Set<string>();
  return tags.map(({ Key, Value }) => {
    if (Key.length < 1 || Key.length > 128) throw new RegistryError('RESOURCE_TAGS_INVALID', `The tag key '${Key.slice(0, 140)}' must be 1 to 128 characters long`);
    if (Value.length > 256) throw new RegistryError('RESOURCE_TAGS_INVALID', `The value of tag '${Key}' must be at most 256 characters long`);
    if (Key.toLowerCase().startsWith('aws:')) throw new RegistryError('RESOURCE_TAGS_INVALID', `The tag key '${Key}' uses the reserved prefix 'aws:'`);
    if (seen.has(Key)) throw new RegistryError('RESOURCE_TAGS_INVALID', `The tag key '${Key}' is given more than once`);
    seen.add(Key);
    return { key: Key, value: Value };
  });
}

/** The repository an ARN of this registry names; INVALID_PARAMETER for any other ARN. */
export function repositoryOfArn(cp: ControlPlane, arn: string): string {
  const prefix = `arn:aws:ecr:${cp.region}:${accountOf(cp)}:repository/`;
  if (!arn.startsWith(prefix) || arn.length === prefix.length) {
    throw new RegistryError('INVALID_PARAMETER', `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'must be a repository ARN of this registry, ${prefix}<name>'`);
  }
  return arn.slice(prefix.length);
}

export async function tagResource(cp: ControlPlane, _call: Call, input: EcrInput<'TagResource'>) {
  const name = repositoryOfArn(cp, input.resourceArn);
  const tags = checkResourceTags(input.tags);
  await asEcr(cp, name, () => tagRepository(cp.registry, name, tags, MAX_RESOURCE_TAGS));
  return {};
}

export async function untagResource(cp: ControlPlane, _call: Call, input: EcrInput<'UntagResource'>) {
  const name = repositoryOfArn(cp, input.resourceArn);
  await asEcr(cp, name, () => untagRepository(cp.registry, name, input.tagKeys));
  return {};
}

export async function listTagsForResource(cp: ControlPlane, _call: Call, input: EcrInput<'ListTagsForResource'>) {
  const name = repositoryOfArn(cp, input.resourceArn);
  const tags = await asEcr(cp, name, () => repositoryResourceTags(cp.registry, name));
  return { tags: tags.map((t) => ({ Key: t.key, Value: t.value })) };
}
