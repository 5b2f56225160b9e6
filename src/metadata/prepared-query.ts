import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db } from './metadata.js';

type RowOf<C> = C extends Compilable<infer O> ? O : never;
type Slot = { param: number } | { constant: unknown };

/**
 * Runs a statement at once, outside Kysely's executor; undefined when it cannot now (the caller then goes
 * through Kysely). `cached`: the dialect may answer a SELECT from its cache of results, emptied whenever
 * the database may have changed.
 */
export type DirectRun = (sql: string, parameters: readonly unknown[], cached: boolean) => QueryResult<unknown> | undefined;

const directRuns = new WeakMap<Db, DirectRun>();

/**
 * Lets the prepared queries on `db` (the database's handle, or a transaction's) skip Kysely's executor
 * when `run` takes them. Why: for a statement that SQLite runs in a few microseconds, Kysely's executor,
 * connection mutex and promises cost twice that again (measured: two thirds of the SQLite time of a
 * manifest GET, and the statements of a push run mostly inside transactions).
 */
export function allowDirectRuns(db: Db, run: DirectRun): void {
  directRuns.set(db, run);
}

/**
 * Whether prepared queries on `db` run at once, without Kysely: then several small statements cost less
 * than one built anew (an `in (…)` list, a multi-row insert), where over a network each is a round trip.
 */
export function runsDirectly(db: Db): boolean {
  return directRuns.has(db);
}

/** Ends what allowDirectRuns allowed (a transaction's handle, once the transaction is over). */
export function endDirectRuns(db: Db): void {
  directRuns.delete(db);
}

/**
 * A query of fixed shape, built and compiled once per dialect, then run with new parameters.
 *
 * Why: Kysely builds and compiles a query anew on every call, and for a short query that costs more
 * than SQLite takes to run it. The hot paths (manifest and blob GET, each upload step) use this.
 * `build` receives stand-ins for its parameters: it must pass each one through as a value (never
 * branch on it), so that the SQL is the same whatever the values are. `in (…)` lists do not fit.
 *
 * `cached`: for the lookups the pull paths repeat; their rows are then shared, and frozen. Where the dialect
 * allows it (allowDirectRuns), the statement runs without Kysely's executor.
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
    const result = directRuns.get(db)?.(template.compiled.sql, parameters, cached);
    if (result) return result as QueryResult<RowOf<C>>;
    return db.executeQuery<RowOf<C>>({ ...template.compiled, parameters });
  };
}
