/** Manifest media types Berth stores, and the ones it refuses by name. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_SCHEMA1 = ['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws'];

export const IMAGE_MANIFEST_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST] as const;
export const INDEX_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST] as const;
export const MANIFEST_TYPES: readonly string[] = [...IMAGE_MANIFEST_TYPES, ...INDEX_TYPES];

/** The OCI 1.1 empty descriptor's media type: an artifact with no config of its own. */
export const OCI_EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

/** Manifests larger than this are refused (the spec lets registries cap them; 4 MiB is common practice). */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
