import { parseDigest } from '../core/digest.js';
import { RegistryError } from '../core/errors.js';
import type { ReferenceKind } from '../metadata/tables.js';
import { DOCKER_SCHEMA1, IMAGE_MANIFEST_TYPES, INDEX_TYPES, MANIFEST_TYPES, OCI_INDEX, OCI_MANIFEST } from './media-types.js';

/** What the registry needs to know of a manifest to store it and answer questions about it. */
export interface ParsedManifest {
  readonly mediaType: string;
  /** Blobs (config, layers) and child manifests that must exist in the repository. */
  readonly references: { digest: string; kind: ReferenceKind }[];
  readonly subject: string | undefined;
  /** The type a referrers listing shows: artifactType, else the config's media type (image manifests). */
  readonly artifactType: string | undefined;
  readonly annotations: Record<string, string> | undefined;
}

type Json = Record<string, unknown>;

/**
 * Validates a manifest body against its media type; throws MANIFEST_INVALID naming the problem.
 * `contentType` is the request's Content-Type (parameters stripped), possibly empty.
 */
export function parseManifest(bytes: Uint8Array, contentType: string): ParsedManifest {
  const body = parseJson(bytes);
  const mediaType = resolveMediaType(body, contentType);
  if (body.schemaVersion !== 2) invalid(`schemaVersion must be 2, got ${JSON.stringify(body.schemaVersion)}`);
  const subject = body.subject === undefined ? undefined : descriptor(body.subject, 'subject').digest;
  const annotations = stringMap(body.annotations, 'annotations');
  const artifactType = optionalString(body.artifactType, 'artifactType');

  if ((INDEX_TYPES as readonly string[]).includes(mediaType)) {
    const children = descriptorList(body.manifests, 'manifests');
    return {
      mediaType,
      references: unique(children.map((d) => d.digest)).map((digest) => ({ digest, kind: 'manifest' as const })),
      subject,
      artifactType,
      annotations,
    };
  }
  const config = descriptor(body.config, 'config');
  const layers = body.layers === undefined && mediaType === OCI_MANIFEST ? [] : descriptorList(body.layers, 'layers');
  // Foreign layers (with urls) live outside the registry; the spec lets a manifest point at them.
  const stored = [config, ...layers.filter((layer) => layer.urls === undefined)];
  return {
    mediaType,
    references: unique(stored.map((d) => d.digest)).map((digest) => ({ digest, kind: 'blob' as const })),
    subject,
    artifactType: artifactType ?? config.mediaType,
    annotations,
  };
}

function parseJson(bytes: Uint8Array): Json {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    invalid(`manifest is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid('manifest must be a JSON object');
  return value as Json;
}

function resolveMediaType(body: Json, contentType: string): string {
  const declared = optionalString(body.mediaType, 'mediaType');
  const header = contentType === 'application/json' || contentType === 'application/octet-stream' ? '' : contentType;
  if (DOCKER_SCHEMA1.includes(header) || DOCKER_SCHEMA1.includes(declared ?? '') || body.schemaVersion === 1) {
    invalid('Docker schema 1 manifests are not supported (deprecated and insecure): push with a current client, which sends Docker schema 2 or OCI');
  }
  if (declared !== undefined && header !== '' && declared !== header) {
    invalid(`the Content-Type "${header}" does not match the manifest's mediaType "${declared}"`);
  }
  const mediaType = declared ?? (header || inferMediaType(body));
  if (!MANIFEST_TYPES.includes(mediaType)) {
    invalid(`unsupported manifest media type "${mediaType}": use one of ${MANIFEST_TYPES.join(', ')}`);
  }
  return mediaType;
}

function inferMediaType(body: Json): string {
  if (Array.isArray(body.manifests)) return OCI_INDEX;
  if (body.config !== undefined) return OCI_MANIFEST;
  invalid('cannot tell the manifest type: set mediaType or the Content-Type header');
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls: unknown;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(`${where} must be a descriptor object`);
  const d = value as Json;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') invalid(`${where}.mediaType must be a non-empty string`);
  if (typeof d.digest !== 'string') invalid(`${where}.digest must be a string`);
  try {
    parseDigest(d.digest);
  } catch (err) {
    invalid(`${where}.digest: ${(err as Error).message}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) invalid(`${where}.size must be a non-negative integer`);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, urls: d.urls };
}

function descriptorList(value: unknown, where: string): Descriptor[] {
  if (!Array.isArray(value)) invalid(`${where} must be an array of descriptors`);
  return value.map((item, i) => descriptor(item, `${where}[${i}]`));
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') invalid(`${where} must be a string`);
  return value;
}

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(`${where} must be an object of strings`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') invalid(`${where}["${key}"] must be a string`);
  }
  return value as Record<string, string>;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function invalid(message: string): never {
  throw new RegistryError('MANIFEST_INVALID', message);
}

export const isImageManifest = (mediaType: string): boolean => (IMAGE_MANIFEST_TYPES as readonly string[]).includes(mediaType);
