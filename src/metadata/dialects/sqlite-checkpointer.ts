import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

const INTERVAL_MS = 200;

// The thread's program: checkpoints the WAL on a connection of its own every INTERVAL_MS. PASSIVE
// copies what it can without waiting for, or blocking, the writer. Plain CommonJS source, so the
// thread needs no loader (run from source, the parent's TypeScript loader would not reach it).
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.file);
database.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or briefly locked: the next round tries again
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  database.close();
  parentPort.close();
});
`;

/**
 * Turns off the commits' own checkpoints on `database` (the file `file`) and starts a thread that
 * makes them instead. Left to the commits, every thousandth one would copy the WAL into the database
 * and fsync it on the event loop: 6–8 ms, measured here, during which no request runs.
 */
export function startCheckpointer(database: SqliteDatabase.Database, file: string): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD, { eval: true, workerData: { file, driver, intervalMs: INTERVAL_MS } });
  worker.unref();
  database.pragma('wal_autocheckpoint = 0');
  let running = true;
  worker.on('error', () => {
    // Without the thread, the commits checkpoint again, as SQLite does by default.
    running = false;
    database.pragma('wal_autocheckpoint = 1000');
  });
  return {
    stop: async () => {
      if (!running) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.ref(); // else nothing keeps the process up until the thread has closed its connection
      worker.postMessage('stop');
      await exited;
    },
  };
}
