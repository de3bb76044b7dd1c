import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { createDatabase, dropDatabase } from './postgres-server';

/*
 * The postgres project's setup file, run after tests/setup.ts before each test file: an empty database
 * of its own on the run's server (tests/postgres-global-setup.ts), named in DATABASE_URL and migrated
 * before the test file, and with it any module of the app, is imported. Dropped when the file is done.
 */

const server = inject('postgresServerUrl');
const name = `quire_test_${randomBytes(6).toString('hex')}`;
process.env.DATABASE_URL = await createDatabase(server, name);
// Here rather than in a beforeAll: a test file may query while it is being collected.
await (await import('@/db')).prepareDatabase();

afterAll(async () => {
  await (await import('@/db')).closeDb();
  await dropDatabase(server, name);
});
