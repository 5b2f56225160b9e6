import { createHash, randomBytes } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export interface Content {
  readonly bytes: Buffer;
  readonly digest: string;
}

export function content(bytes: Buffer | string): Content {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { bytes: buffer, digest: `sha256:${createHash('sha256').update(buffer).digest('hex')}` };
}

export interface BuiltImage {
  readonly layers: Content[];
  readonly config: Content;
  readonly manifest: Content;
  readonly mediaType: string;
}

/** A fluent builder of test images: `image().layers(2, 1024).build()`. */
export function image(): ImageBuilder {
  return new ImageBuilder();
}

class ImageBuilder {
  private layerContents: Content[] = [];
  private mediaType = OCI_MANIFEST;
  private configMediaType = OCI_CONFIG;
  private extra: Record<string, unknown> = {};

  layers(count: number, size: number): this {
    for (let i = 0; i < count; i++) this.layerContents.push(content(randomBytes(size)));
    return this;
  }

  docker(): this {
    this.mediaType = DOCKER_MANIFEST;
    this.configMediaType = 'application/vnd.docker.container.image.v1+json';
    return this;
  }

  /** An OCI 1.1 artifact: the given artifactType, the empty config, and a subject. */
  artifactOf(subject: Content, artifactType: string, annotations?: Record<string, string>): this {
    this.configMediaType = 'application/vnd.oci.empty.v1+json';
    this.extra = {
      artifactType,
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.bytes.length },
      ...(annotations ? { annotations } : {}),
    };
    return this;
  }

  build(): BuiltImage {
    const config =
      this.configMediaType === 'application/vnd.oci.empty.v1+json'
        ? content('{}')
        : content(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: this.layerContents.map((l) => l.digest) }, nonce: randomBytes(8).toString('hex') }));
    const manifest = content(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: this.mediaType,
        config: { mediaType: this.configMediaType, digest: config.digest, size: config.bytes.length },
        layers: this.layerContents.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.bytes.length })),
        ...this.extra,
      }),
    );
    return { layers: this.layerContents, config, manifest, mediaType: this.mediaType };
  }
}

/** An OCI index over the given manifests, one platform each. */
export function index(manifests: Content[], platforms = manifests.map((_, i) => (i % 2 ? 'arm64' : 'amd64'))): Content {
  return content(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: manifests.map((m, i) => ({ mediaType: OCI_MANIFEST, digest: m.digest, size: m.bytes.length, platform: { architecture: platforms[i], os: 'linux' } })),
    }),
  );
}
