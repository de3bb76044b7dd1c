import { type SuiteFactory, type SuiteOptions, type TestFunction, type TestOptions, describe, it } from 'vitest';
import { type Dialect, getDialect } from '@/db/config';

/*
 * The suite runs on both databases (vitest.config.ts: the sqlite and postgres projects). A whole file
 * that makes sense on one only is left out of the other project there, with the reason; a part of a
 * file says so here:
 *
 *   onlyOn('sqlite', 'reads SQLite’s PRAGMA data_version').describe('shared cache tags', () => { ... });
 *   onlyOn('postgres', 'a pool of connections').it('...', async () => { ... });
 *
 * On the other database those tests are skipped, and the reason is in their name in the report.
 * Keep database work inside the tests and hooks: a skipped describe's body still runs, to collect them.
 */

/** The database this test file runs on (the setup files set DATABASE_URL for the postgres project). */
export const dialect: Dialect = getDialect();

export function onlyOn(wanted: Dialect, reason: string) {
  const skip = dialect !== wanted;
  const name = (title: string) => (skip ? `${title} [only on ${wanted}: ${reason}]` : title);
  return {
    describe: (title: string, factory: SuiteFactory, options?: SuiteOptions) =>
      options ? describe.skipIf(skip)(name(title), options, factory) : describe.skipIf(skip)(name(title), factory),
    it: (title: string, test: TestFunction, options?: number | TestOptions) =>
      typeof options === 'object' ? it.skipIf(skip)(name(title), options, test) : it.skipIf(skip)(name(title), test, options),
  };
}
