import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { BuiltImage, Content } from './images.js';
import type { Injector } from './test-registry.js';

/** Pushes a blob the way most clients do: POST a session, then PUT ?digest= with the bytes. */
export async function pushBlob(app: Injector, repo: string, blob: Content): Promise<void> {
  const start = await app.inject({ method: 'POST', url: `/v2/${repo}/blobs/uploads/` });
  assert.equal(start.statusCode, 202, start.body);
  const location = new URL(start.headers.location as string);
  location.searchParams.set('digest', blob.digest);
  const done = await app.inject({
    method: 'PUT',
    url: location.pathname + location.search,
    payload: blob.bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(done.statusCode, 201, done.body);
}

export async function putManifest(app: Injector, repo: string, reference: string, manifest: Content, mediaType: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'PUT', url: `/v2/${repo}/manifests/${reference}`, payload: manifest.bytes, headers: { 'content-type': mediaType } });
}

/** Pushes layers, config and manifest; asserts success. */
export async function pushImage(app: Injector, repo: string, reference: string, img: BuiltImage): Promise<void> {
  for (const layer of img.layers) await pushBlob(app, repo, layer);
  await pushBlob(app, repo, img.config);
  const res = await putManifest(app, repo, reference, img.manifest, img.mediaType);
  assert.equal(res.statusCode, 201, res.body);
}

export function errorCode(res: LightMyRequestResponse): string | undefined {
  try {
    return (JSON.parse(res.body) as { errors?: { code: string }[] }).errors?.[0]?.code;
  } catch {
    return undefined;
  }
}
