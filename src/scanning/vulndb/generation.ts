import type { Db } from '../../metadata/metadata.js';
import { vulndbState } from '../../metadata/vulndb.repository.js';

/**
 * The vulnerability data's generation: it increases with every import that changed a record, so a scan
 * matched at an older generation is stale. 0 before the first import.
 */
export async function vulndbGeneration(db: Db): Promise<number> {
  return (await vulndbState(db)).generation;
}
