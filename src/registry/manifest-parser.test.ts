import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRegistryError } from '../core/errors.js';
import { parseManifest } from './manifest-parser.js';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './media-types.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const desc = (c: string, mediaType = 'application/octet-stream', extra: object = {}) => ({ mediaType, digest: d(c), size: 10, ...extra });
const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

test('an image manifest references its config and layers, not foreign layers', () => {
  const parsed = parseManifest(
    bytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc('a', 'application/vnd.oci.image.config.v1+json'), layers: [desc('b'), desc('c', 'x', { urls: ['https://example.com/l'] })] }),
    OCI_MANIFEST,
  );
  assert.deepEqual(parsed.references, [
    { digest: d('a'), kind: 'blob' },
    { digest: d('b'), kind: 'blob' },
  ]);
  assert.equal(parsed.artifactType, 'application/vnd.oci.image.config.v1+json');
});

test('an artifact has its artifactType and subject', () => {
  const parsed = parseManifest(
    bytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/x-sbom', config: desc('a', 'application/vnd.oci.empty.v1+json'), layers: [], subject: desc('f', OCI_MANIFEST) }),
    '',
  );
  assert.equal(parsed.artifactType, 'application/x-sbom');
  assert.equal(parsed.subject, d('f'));
});

test('an index references its children as manifests; the media type may come from the header', () => {
  const parsed = parseManifest(bytes({ schemaVersion: 2, manifests: [desc('a', OCI_MANIFEST), desc('b', OCI_MANIFEST)] }), DOCKER_MANIFEST_LIST);
  assert.equal(parsed.mediaType, DOCKER_MANIFEST_LIST);
  assert.deepEqual(parsed.references.map((r) => r.kind), ['manifest', 'manifest']);
  assert.equal(parseManifest(bytes({ schemaVersion: 2, manifests: [] }), '').mediaType, OCI_INDEX);
});

test('invalid manifests name their problem', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ schemaVersion: 1, fsLayers: [] }, '', /schema 1/],
    [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc('a') }, OCI_INDEX, /does not match/],
    [{ schemaVersion: 3, mediaType: OCI_MANIFEST, config: desc('a'), layers: [] }, '', /schemaVersion must be 2/],
    [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...desc('a'), size: -1 }, layers: [] }, '', /config\.size/],
    [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc('a'), layers: [{ mediaType: 'x', size: 1 }] }, '', /layers\[0\]\.digest/],
    [{ schemaVersion: 2, mediaType: OCI_INDEX, manifests: 'nope' }, '', /manifests must be an array/],
    [{ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc('a'), layers: [], annotations: { a: 1 } }, '', /annotations/],
    [[1, 2], '', /JSON object/],
  ];
  for (const [value, contentType, message] of cases) {
    assert.throws(() => parseManifest(bytes(value), contentType), (err) => isRegistryError(err) && err.code === 'MANIFEST_INVALID' && message.test(err.message), JSON.stringify(value));
  }
});
