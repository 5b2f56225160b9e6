import { RegistryError } from '../core/errors.js';

/** An opaque nextToken: where the next page starts, for one kind of listing only. */
export function encodeToken(kind: string, position: readonly string[]): string {
  return Buffer.from(JSON.stringify([kind, ...position])).toString('base64url');
}

/** The position in a nextToken of `kind`; INVALID_PARAMETER for anything else. */
export function decodeToken(kind: string, token: string | undefined, parts: number): string[] | undefined {
  if (token === undefined) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(decoded) && decoded[0] === kind && decoded.length === parts + 1 && decoded.every((p) => typeof p === 'string')) return decoded.slice(1) as string[];
  } catch {
    // falls through
  }
  throw new RegistryError('INVALID_PARAMETER', 'Invalid parameter at \'nextToken\' failed to satisfy constraint: \'the token is not one this operation returned\'');
}

/** maxResults, or ECR's default of 100. */
export function pageLimit(maxResults: number | undefined): number {
  return maxResults ?? 100;
}

/** ECR refuses repositoryNames or imageIds together with paging. */
export function refuseListWithPaging(listName: string, list: unknown, nextToken: string | undefined, maxResults: number | undefined): void {
  if (list !== undefined && (nextToken !== undefined || maxResults !== undefined)) {
    throw new RegistryError('INVALID_PARAMETER', `Invalid parameter: '${listName}' cannot be used together with 'nextToken' or 'maxResults'`);
  }
}
