import { runBlobDriverSuite } from '../blob-driver.suite.js';
import { MemoryBlobDriver } from './memory-driver.js';

runBlobDriverSuite('memory driver', async () => new MemoryBlobDriver());
