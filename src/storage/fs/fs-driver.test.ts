import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { runBlobDriverSuite } from '../blob-driver.suite.js';
import { FsBlobDriver } from './fs-driver.js';

const roots: string[] = [];
after(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

runBlobDriverSuite('fs driver', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-fs-'));
  roots.push(root);
  const driver = new FsBlobDriver(root);
  await driver.init();
  return driver;
});
