import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { getDialect } from './config';

/*
 * The few SQL expressions that are spelled differently on SQLite and PostgreSQL. lib/ uses these
 * instead of writing either spelling, so each query is still written once.
 */

/** The smallest of the values (SQLite's scalar min(), PostgreSQL's least()). */
export function least(...values: (SQLWrapper | number)[]): SQL<number> {
  return sql<number>`${sql.raw(getDialect() === 'postgres' ? 'least' : 'min')}(${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )})`;
}

/** The largest of the values (SQLite's scalar max(), PostgreSQL's greatest()). */
export function greatest(...values: (SQLWrapper | number)[]): SQL<number> {
  return sql<number>`${sql.raw(getDialect() === 'postgres' ? 'greatest' : 'max')}(${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )})`;
}

/**
 * A number bound as a 64-bit integer. PostgreSQL types a bare parameter after what it meets, so in
 * `${now} + 1000 * n` epoch milliseconds would be taken for a 32-bit integer and refused.
 */
export function int64(value: number | SQLWrapper): SQL<number> {
  return sql<number>`cast(${value} as bigint)`;
}

/**
 * A column SQLite's planner may not use an index for (its unary +), so that it picks the index of
 * another term; PostgreSQL plans by its statistics, and gets the column as it is.
 */
export function unindexed(column: SQLWrapper): SQL {
  return getDialect() === 'postgres' ? sql`${column}` : sql`+${column}`;
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
