import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './metadata.js';

type RowOf<C> = C extends Compilable<infer O> ? O : never;
type Slot = { param: number } | { constant: unknown };

/**
 * Runs a SELECT at once, outside Kysely; undefined when it cannot now (the caller then goes through Kysely).
 * `cached`: the dialect may answer from its cache of results, emptied whenever the database may have changed.
 */
export type DirectRead = (sql: string, parameters: readonly unknown[], cached: boolean) => readonly unknown[] | undefined;

const directReads = new WeakMap<Db, DirectRead>();

/**
 * Lets the prepared SELECTs on `db` itself (not on a transaction's handle) skip Kysely's executor.
 * Why: for a query that SQLite answers in a few microseconds, Kysely's executor, connection mutex and
 * promises cost twice that again (measured: two thirds of the SQLite time of a manifest GET).
 */
export function allowDirectReads(db: Db, read: DirectRead): void {
  directReads.set(db, read);
}

/**
 * A query of fixed shape, built and compiled once per dialect, then run with new parameters.
 *
 * Why: Kysely builds and compiles a query anew on every call, and for a short query that costs more
 * than SQLite takes to run it. The hot paths (manifest and blob GET, each upload step) use this.
 * `build` receives stand-ins for its parameters: it must pass each one through as a value (never
 * branch on it), so that the SQL is the same whatever the values are. `in (…)` lists do not fit.
 *
 * `cached`: for the lookups the pull paths repeat; their rows are then shared, and frozen.
 */
export function preparedQuery<P extends unknown[], C extends Compilable<unknown>>(
  build: (db: Db, ...params: P) => C,
  options: { cached?: boolean } = {},
): (db: Db, ...params: P) => Promise<QueryResult<RowOf<C>>> {
  const cached = options.cached === true;
  // Keyed by the dialect's adapter: a transaction's handle shares it with the database's.
  const templates = new WeakMap<object, { compiled: CompiledQuery; slots: Slot[] }>();
  return async (db, ...params) => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      const standIns = params.map((_, i) => `\u0000berth-param-${i}\u0000`);
      const compiled = build(db, ...(standIns as P)).compile();
      const slots = compiled.parameters.map((value): Slot => {
        const param = typeof value === 'string' ? standIns.indexOf(value) : -1;
        return param >= 0 ? { param } : { constant: value };
      });
      if (new Set(slots.flatMap((s) => ('param' in s ? [s.param] : []))).size !== params.length) {
        throw new Error(`a prepared query must use each of its ${params.length} parameters as a value: ${compiled.sql}`);
      }
      templates.set(adapter, (template = { compiled, slots }));
    }
    const parameters = template.slots.map((slot) => ('param' in slot ? params[slot.param] : slot.constant));
    const rows = template.compiled.query.kind === 'SelectQueryNode' ? directReads.get(db)?.(template.compiled.sql, parameters, cached) : undefined;
    if (rows) return { rows: rows as RowOf<C>[] };
    return db.executeQuery<RowOf<C>>({ ...template.compiled, parameters });
  };
}
