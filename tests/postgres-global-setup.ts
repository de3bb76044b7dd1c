import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server';

/*
 * The postgres project's global setup (vitest.config.ts): one throw-away PostgreSQL server for the
 * whole run, stopped when it ends. Each test file gets its own database on it (tests/postgres-setup.ts).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server's maintenance database, as its superuser: where test databases are created. */
    postgresServerUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresServerUrl', server.url);
  return () => server.stop();
}
