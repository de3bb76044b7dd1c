import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { getDialect } from './config';

/*
 * The few SQL expressions that are spelled differently on SQLite and PostgreSQL. lib/ uses these
 * instead of writing either spelling, so each query is still written once.
 */

/** The smallest of the values (SQLite's scalar min(), PostgreSQL's least()). */
export function least(...values: (SQLWrapper | number)[]): SQL<number> {
  return sql<number>`${sql.raw(getDialect() === 'postgres' ? 'least' : 'min')}(${sql.join(values.map((value) => sql`${value}`), sql`, `)})`;
}

/** The largest of the values (SQLite's scalar max(), PostgreSQL's greatest()). */
export function greatest(...values: (SQLWrapper | number)[]): SQL<number> {
  return sql<number>`${sql.raw(getDialect() === 'postgres' ? 'greatest' : 'max')}(${sql.join(values.map((value) => sql`${value}`), sql`, `)})`;
}

function errorCode(error: unknown): string | undefined {
  // Drizzle wraps the driver's error ("Failed query: ..."), with the driver's own as its cause.
  for (let current = error; current instanceof Error; current = current.cause) {
    if ('code' in current && typeof current.code === 'string') return current.code;
  }
  return undefined;
}

/** A write refused by a UNIQUE constraint (SQLITE_CONSTRAINT_UNIQUE, PostgreSQL's 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** The database is busy for longer than a request should wait (SQLite's lock, PostgreSQL's lock or statement timeout). */
export function isBusy(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'SQLITE_BUSY' || code === '55P03' || code === '57014';
}
