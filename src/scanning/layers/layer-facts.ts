import { pipeline } from 'node:stream/promises';
import type { FileFact } from '../detectors/facts.js';
import { fileKindOf } from '../detectors/file-kinds.js';
import { normalisePath, parentOf, resolveLinkTarget } from '../detectors/image-paths.js';
import { parseFile } from '../detectors/parse-file.js';
import { asDecompressionError, compressionOf, decompressStage, isTarLayerMediaType, limitBytes, peek } from './decompress.js';
import type { LayerSource } from './layer-source.js';
import { UnsupportedLayer, type ScanLimits } from './limits.js';
import { readTarEntries, type TarEntry } from './tar-entries.js';

/** Bumped whenever the shape or the parsing changes, so facts cached by an older version are read again. */
export const LAYER_FACTS_FORMAT = 1;

/** A detector-relevant file a layer adds or changes, with its parsed content. */
export type LayerFile = FileFact & { readonly path: string };

/**
 * What one layer contributes to the image's filesystem, as far as detectors care. JSON-serialisable,
 * and a function of the layer's bytes alone, so it is cached by layer digest.
 * Merging applies a layer's whiteouts and opaque directories to the layers below it first, then its files
 * (OCI image spec, layer.md: whiteouts never hide files of their own layer).
 */
export interface LayerFacts {
  readonly format: typeof LAYER_FACTS_FORMAT;
  /** Paths deleted from lower layers (`dir/.wh.NAME` deletes `dir/NAME` and all below it). */
  readonly whiteouts: readonly string[];
  /** Directories made opaque (`dir/.wh..wh..opq`): everything below them in lower layers is gone. */
  readonly opaque: readonly string[];
  /** The relevant files this layer writes, last write of a path wins. */
  readonly files: readonly LayerFile[];
}

export function isLayerFacts(value: unknown): value is LayerFacts {
  const facts = value as Partial<LayerFacts> | null;
  return typeof facts === 'object' && facts !== null && facts.format === LAYER_FACTS_FORMAT && Array.isArray(facts.whiteouts) && Array.isArray(facts.opaque) && Array.isArray(facts.files);
}

/**
 * Streams a layer once and collects its facts. Memory holds one metadata file at a time (at most
 * maxFileBytes), never the layer. Throws UnsupportedLayer (not a tar media type, or not a tar),
 * ScanLimitExceeded (a limit passed), UnreadableLayer (corrupt compression or tar), or what open() throws.
 */
export async function readLayerFacts(source: LayerSource, limits: ScanLimits): Promise<LayerFacts> {
  if (!isTarLayerMediaType(source.mediaType)) throw new UnsupportedLayer(`layer ${source.digest} has media type ${source.mediaType || '(none)'}, which is not a tar layer`);
  const what = `layer ${source.digest}`;
  const raw = await source.open();
  try {
    const { head, all } = await peek(raw, 4);
    const stage = decompressStage(compressionOf(head));
    const collector = new FactCollector(limits.maxFileBytes);
    const readTar = (bytes: AsyncIterable<Uint8Array>): Promise<void> =>
      readTarEntries(bytes, { maxEntries: limits.maxEntries, what, sourceError: (err) => asDecompressionError(err, what) }, (entry) => collector.add(entry));
    const limited = limitBytes(limits.maxLayerBytes, what);
    if (stage) await pipeline(all, stage, limited, readTar);
    else await pipeline(all, limited, readTar);
    return collector.facts();
  } catch (err) {
    throw asDecompressionError(err, what);
  } finally {
    raw.destroy();
  }
}

const OPAQUE_MARKER = '.wh..wh..opq';
const WHITEOUT_PREFIX = '.wh.';
/** AUFS keeps its own bookkeeping under `.wh..wh.` names (.wh..wh.plnk, .wh..wh.aufs): not whiteouts. */
const AUFS_META_PREFIX = '.wh..wh.';

class FactCollector {
  private readonly whiteouts = new Set<string>();
  private readonly opaque = new Set<string>();
  private readonly files = new Map<string, LayerFile>();

  constructor(private readonly maxFileBytes: number) {}

  async add(entry: TarEntry): Promise<void> {
    const path = entry.path;
    const dir = parentOf(path);
    const name = path.slice(dir === '' ? 0 : dir.length + 1);
    if (name === OPAQUE_MARKER) {
      this.opaque.add(dir);
      return;
    }
    if (name.startsWith(AUFS_META_PREFIX)) return;
    if (name.startsWith(WHITEOUT_PREFIX)) {
      if (name.length > WHITEOUT_PREFIX.length) this.whiteouts.add(normalisePath(`${dir}/${name.slice(WHITEOUT_PREFIX.length)}`));
      return;
    }
    const kind = fileKindOf(path);
    if (kind === undefined) return;
    switch (entry.type) {
      case 'file':
        this.files.set(path, { path, ...(await parseFile(kind, path, await entry.read(this.maxFileBytes))) });
        return;
      case 'symlink':
        this.files.set(path, { path, kind: 'symlink', target: resolveLinkTarget(path, entry.linkTarget ?? '') });
        return;
      case 'hardlink':
        this.files.set(path, this.hardlink(path, entry.linkTarget ?? ''));
        return;
      case 'directory':
        return;
      case 'other':
        this.files.set(path, { path, kind: 'other' });
    }
  }

  /** A hardlink names an earlier entry of the same tar: take its content when that entry was kept. */
  private hardlink(path: string, target: string): LayerFile {
    const known = this.files.get(target);
    return known ? { ...known, path } : { path, kind: 'hardlink', target };
  }

  facts(): LayerFacts {
    return { format: LAYER_FACTS_FORMAT, whiteouts: [...this.whiteouts].sort(), opaque: [...this.opaque].sort(), files: [...this.files.values()] };
  }
}
