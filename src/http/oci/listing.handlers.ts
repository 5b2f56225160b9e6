import { RegistryError } from '../../core/errors.js';
import { OCI_INDEX } from '../../registry/media-types.js';
import { listReferrers } from '../../registry/referrers.service.js';
import { listRepositories } from '../../registry/repositories.service.js';
import { listTags } from '../../registry/tags.service.js';
import { repositoryPath, sendJson, type OciExchange } from './oci-request.js';

const CATALOG_MAX = 10_000;

/** GET /v2/<name>/tags/list with n/last pagination and a Link header to the next page. */
export async function getTags(x: OciExchange, name: string): Promise<void> {
  const limit = pageSize(x.query.get('n'), undefined);
  const after = x.query.get('last') ?? undefined;
  const page = await listTags(x.registry, name, { ...(limit !== undefined ? { limit } : {}), ...(after ? { after } : {}) });
  if (page.more && limit !== undefined) {
    x.reply.header('link', nextLink(`${repositoryPath(name)}/tags/list`, limit, page.tags.at(-1)!));
  }
  sendJson(x, 'application/json', { name, tags: page.tags });
}

/** GET /v2/_catalog with n/last pagination. */
export async function getCatalog(x: OciExchange): Promise<void> {
  const limit = Math.min(pageSize(x.query.get('n'), CATALOG_MAX) ?? CATALOG_MAX, CATALOG_MAX);
  const after = x.query.get('last') ?? undefined;
  const page = limit === 0 ? { names: [], more: false } : await listRepositories(x.registry, { limit, ...(after ? { after } : {}) });
  if (page.more) x.reply.header('link', nextLink('/v2/_catalog', limit, page.names.at(-1)!));
  // Only the repositories the caller may describe are listed (a page may then hold fewer than n).
  const visible: string[] = [];
  for (const repository of page.names) if (await x.authorized.canDescribe(repository)) visible.push(repository);
  sendJson(x, 'application/json', { repositories: visible });
}

/** GET /v2/<name>/referrers/<digest>, with the artifactType filter. */
export async function getReferrers(x: OciExchange, name: string, digest: string): Promise<void> {
  const artifactType = x.query.get('artifactType') ?? undefined;
  const manifests = await listReferrers(x.registry, name, digest, artifactType);
  if (artifactType !== undefined) x.reply.header('oci-filters-applied', 'artifactType');
  sendJson(x, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
}

function pageSize(raw: string | null, fallback: number | undefined): number | undefined {
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new RegistryError('PAGINATION_INVALID', `n must be a non-negative integer, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

function nextLink(path: string, limit: number, last: string): string {
  return `<${path}?n=${limit}&last=${encodeURIComponent(last)}>; rel="next"`;
}
