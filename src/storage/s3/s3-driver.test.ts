import { after, test } from 'node:test';
import { s3ForTests } from '../../../test/helpers/s3-server.js';
import type { BlobDriver } from '../blob-driver.js';
import { runBlobDriverSuite } from '../blob-driver.suite.js';
import { openS3Driver } from './s3-driver.js';

const s3 = await s3ForTests();

if ('skip' in s3) {
  test('S3 driver', { skip: s3.skip }, () => {});
} else {
  const drivers: BlobDriver[] = [];
  after(async () => {
    await Promise.all(drivers.map((driver) => driver.close()));
    await s3.stop();
  });
  runBlobDriverSuite(`s3 driver (${s3.origin})`, async () => {
    const driver = openS3Driver(s3.driverOptions());
    drivers.push(driver);
    return driver;
  });
}
