import Database from 'better-sqlite3';
import fs from 'node:fs';
fs.rmSync('/tmp/scratch/t.db', { force: true }); fs.rmSync('/tmp/scratch/t.db-wal', { force: true });
const db = new Database('/tmp/scratch/t.db');
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
if (process.env.NOCK) db.pragma('wal_autocheckpoint = 0');
db.exec('create table u (id text primary key, repo int, size int, state text, a int, b int)');
db.exec('create table r (id integer primary key, name text unique, policy text)');
for (let i = 0; i < 100; i++) db.prepare('insert into r (name, policy) values (?, ?)').run('repo' + i, null);
const ins = db.prepare('insert into u values (?, ?, ?, ?, ?, ?)');
const sel = db.prepare('select policy from r where name = ?');
const times = [];
for (let i = 0; i < 5000; i++) { const t = performance.now(); ins.run(crypto.randomUUID(), 1, 0, '', Date.now(), Date.now()); times.push(performance.now() - t); }
times.sort((a, b) => a - b);
console.log('insert autocommit: p50', times[2500].toFixed(3), 'p99', times[4950].toFixed(3), 'max', times[4999].toFixed(1), 'sum', times.reduce((a, b) => a + b).toFixed(0));
let t = performance.now(); for (let i = 0; i < 5000; i++) sel.get('repo' + (i % 100)); console.log('select us', ((performance.now() - t) / 5000 * 1000).toFixed(1));
