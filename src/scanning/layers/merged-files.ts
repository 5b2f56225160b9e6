import type { ContentFact, FileFact, FileView, ViewEntry } from '../detectors/facts.js';
import { ancestorsOf } from '../detectors/image-paths.js';
import type { LayerFacts } from './layer-facts.js';

/** Symlink hops followed before a path is taken as dangling (Linux allows 40; rootfs chains are short). */
const MAX_LINK_HOPS = 16;

/** The relevant files of an image's filesystem after some of its layers, bottom first. */
export class MergedFiles implements FileView {
  private readonly entries = new Map<string, ViewEntry>();

  /** Applies one more layer: its whiteouts and opaque directories hide lower files, then its files are written. */
  apply(facts: LayerFacts, layer: number): void {
    if (facts.whiteouts.length > 0 || facts.opaque.length > 0) this.hide(new Set(facts.whiteouts), new Set(facts.opaque));
    for (const { path, ...fact } of facts.files) {
      if (fact.kind === 'other') this.entries.delete(path);
      else this.entries.set(path, { fact: fact as FileFact, layer });
    }
  }

  lookup(path: string): ViewEntry<ContentFact> | undefined {
    let current = path;
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const entry = this.entries.get(current);
      if (!entry) return undefined;
      const fact = entry.fact;
      if (fact.kind !== 'symlink' && fact.kind !== 'hardlink') return fact.kind === 'other' ? undefined : (entry as ViewEntry<ContentFact>);
      current = fact.target;
    }
    return undefined;
  }

  *files(): Generator<readonly [string, ViewEntry<ContentFact>]> {
    for (const [path, entry] of this.entries) {
      const kind = entry.fact.kind;
      if (kind !== 'symlink' && kind !== 'hardlink' && kind !== 'other') yield [path, entry as ViewEntry<ContentFact>];
    }
  }

  /** Deletes every path that is whited out, below a whiteout, or below an opaque directory. */
  private hide(whiteouts: ReadonlySet<string>, opaque: ReadonlySet<string>): void {
    for (const path of [...this.entries.keys()]) {
      if (whiteouts.has(path) || [...ancestorsOf(path)].some((dir) => whiteouts.has(dir) || opaque.has(dir))) this.entries.delete(path);
    }
  }
}
