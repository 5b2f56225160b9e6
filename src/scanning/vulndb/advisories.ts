import type { Db } from '../../metadata/metadata.js';
import { advisoriesFor as storedAdvisoriesFor } from '../../metadata/vulndb.repository.js';
import type { OsvRecord } from '../osv.js';

/**
 * The OSV records in force that affect any of `names` in `ecosystem` (OSV's name for it, exact:
 * `Debian:12`, `Alpine:v3.18`, `npm`, `PyPI`), by id, each once. PyPI names may be given in any
 * spelling PEP 503 considers the same. Read from the database at each call, so an import is seen at once.
 */
export function advisoriesFor(db: Db, ecosystem: string, names: readonly string[]): Promise<OsvRecord[]> {
  return storedAdvisoriesFor<OsvRecord>(db, ecosystem, names);
}
