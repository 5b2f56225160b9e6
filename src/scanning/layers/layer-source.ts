import type { Readable } from 'node:stream';

/** One layer of an image as the scanner reads it. */
export interface LayerSource {
  /** The layer blob's digest: the key its facts are cached under. */
  readonly digest: string;
  /** The media type the manifest gives it; only tar layer types are read. */
  readonly mediaType: string;
  /** A fresh stream of the blob's bytes, as stored (compressed). Called at most once per inventory. */
  open(): Promise<Readable>;
}
