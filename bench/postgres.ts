// Throwaway PostgreSQL databases for the scale-out bench: one per Berth deployment, created on the server
// at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, trust auth) and dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly name: string;
  /** The admin URL with this database's name. */
  readonly url: string;
  /** `drop database … with (force)`: also ends the sessions a killed node may have left. */
  drop(): Promise<void>;
}

/** The admin URL, without its password, for messages. */
export function displayUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:…@');
}

async function run(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query(sql);
  } catch (err) {
    throw new Error(`PostgreSQL at ${displayUrl(adminUrl)}: ${sql}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `berth_bench_${randomBytes(4).toString('hex')}`;
  await run(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.href, drop: () => run(adminUrl, `drop database if exists ${name} with (force)`) };
}
