import type { ColumnDefinitionBuilder } from 'kysely';
import type { DialectName } from '../metadata.js';

/** A surrogate integer key: SQLite's rowid alias, PostgreSQL's identity column. */
export function autoIncrementId(dialect: DialectName): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialect === 'sqlite'
    ? (c) => c.primaryKey().autoIncrement()
    : (c) => c.primaryKey().generatedByDefaultAsIdentity();
}
