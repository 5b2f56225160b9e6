import type { Identity } from '../auth/access-keys.service.js';
import type { Principal } from '../auth/principal.js';
import type { Clock } from '../core/clock.js';
import type { OpContext } from '../core/context.js';
import { RegistryError } from '../core/errors.js';
import type { Registry } from '../registry/registry.js';

/** What every ECR operation works with; built once by compose.ts. */
export interface ControlPlane {
  readonly registry: Registry;
  readonly identity: Identity;
  readonly region: string;
  readonly clock: Clock;
}

/** One API call: who makes it, and the address clients reach the registry at. */
export interface Call {
  readonly ctx: OpContext;
  readonly principal: Principal;
  /** scheme://host[:port], as proxyEndpoint shows it. */
  readonly endpoint: string;
  /** Whether the caller may perform `action` on the repository (undefined: on the registry). */
  readonly allowed: (action: string, repository: string | undefined) => Promise<boolean>;
}

export function accountOf(cp: ControlPlane): string {
  return cp.identity.accountId;
}

export function repositoryArn(cp: ControlPlane, name: string): string {
  return `arn:aws:ecr:${cp.region}:${accountOf(cp)}:repository/${name}`;
}

/** host[:port]/name: what docker push and pull take. */
export function repositoryUri(call: Call, name: string): string {
  return `${call.endpoint.replace(/^https?:\/\//, '')}/${name}`;
}

/** Epoch seconds, as AWS JSON 1.1 sends timestamps. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** A registryId other than this registry's names a registry that isn't here. */
export function checkRegistryId(cp: ControlPlane, registryId: string | undefined): void {
  if (registryId !== undefined && registryId !== accountOf(cp)) {
    throw new RegistryError('INVALID_PARAMETER', `Invalid parameter at 'registryId' failed to satisfy constraint: 'this registry's id is ${accountOf(cp)}, not ${registryId}'`);
  }
}

/**
 * Runs `work` and words the registry's repository errors as ECR does ("The repository with name 'x'
 * does not exist in the registry with id '123456789012'").
 */
export async function asEcr<T>(cp: ControlPlane, repository: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    const registry = `the registry with id '${accountOf(cp)}'`;
    if (err.code === 'NAME_UNKNOWN') throw new RegistryError('NAME_UNKNOWN', `The repository with name '${repository}' does not exist in ${registry}`);
    if (err.code === 'REPOSITORY_EXISTS') throw new RegistryError('REPOSITORY_EXISTS', `The repository with name '${repository}' already exists in ${registry}`);
    if (err.code === 'REPOSITORY_NOT_EMPTY') {
      throw new RegistryError('REPOSITORY_NOT_EMPTY', `The repository with name '${repository}' in registry with id '${accountOf(cp)}' cannot be deleted because it still contains images`);
    }
    throw err;
  }
}
