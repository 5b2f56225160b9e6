import { RegistryError } from './errors.js';

/** Digest algorithms Berth can verify, with the length of their hex encoding. */
const ALGORITHMS = { sha256: 64, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof ALGORITHMS;

/** A validated content digest, `algorithm:hex`. */
export interface Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
  readonly value: string;
}

// OCI image-spec descriptor grammar: algorithm ":" encoded.
const GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Parses a digest string; throws DIGEST_INVALID naming the problem. */
export function parseDigest(text: string): Digest {
  if (!GRAMMAR.test(text)) throw new RegistryError('DIGEST_INVALID', `invalid digest "${clip(text)}"`);
  const colon = text.indexOf(':');
  const algorithm = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  if (!(algorithm in ALGORITHMS)) {
    throw new RegistryError('DIGEST_INVALID', `unsupported digest algorithm "${clip(algorithm)}": use sha256 or sha512`);
  }
  const length = ALGORITHMS[algorithm as DigestAlgorithm];
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    throw new RegistryError('DIGEST_INVALID', `invalid ${algorithm} digest: expected ${length} lowercase hex characters`);
  }
  return { algorithm: algorithm as DigestAlgorithm, hex, value: text };
}

/** True when text looks like a digest (has an algorithm prefix), as opposed to a tag. */
export function looksLikeDigest(text: string): boolean {
  return text.includes(':');
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
