// @ts-check
/*
 * The database's three variables, and the reader every variable goes through. They live here, not
 * in lib/env.js, because db/ reads them itself and db/ is the bottom layer: it imports nothing of
 * ours. lib/env.js declares them with the rest of the configuration from these same schemas. Plain
 * JavaScript, so server/index.mjs reads the configuration before Next starts, without a build step.
 */
import { z } from 'zod';

const POOL_SIZE_RANGE = 'must be a whole number from 1 to 100';

export const databaseVariables = {
  /** The SQLite file, when DATABASE_URL is not set. */
  DATABASE_PATH: z.string().trim().min(1).default('data/quire.db'),
  /** A PostgreSQL connection URL; unset means SQLite at DATABASE_PATH. */
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || undefined)
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: 'must be a postgres:// or postgresql:// URL (or unset, for SQLite at DATABASE_PATH)',
    }),
  /** PostgreSQL connections per server process. */
  DATABASE_POOL_SIZE: z.coerce
    .number({ error: POOL_SIZE_RANGE })
    .int(POOL_SIZE_RANGE)
    .min(1, POOL_SIZE_RANGE)
    .max(100, POOL_SIZE_RANGE)
    .default(10),
};

/**
 * Reads the variables `shape` declares from `source`, as t3's createEnv does: an empty string counts
 * as unset (so its default applies), and a bad value throws one error naming every bad variable.
 * @template {z.ZodRawShape} S
 * @param {S} shape
 * @param {Record<string, string | undefined>} [source]
 * @returns {z.output<z.ZodObject<S>>}
 */
export function readVariables(shape, source = process.env) {
  const values = Object.fromEntries(Object.keys(shape).map((name) => [name, source[name] === '' ? undefined : source[name]]));
  const result = z.object(shape).safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return result.data;
}

/** @typedef {'sqlite' | 'postgres'} Dialect */

/** The SQLite file to open; a bad value stops the caller with a message naming the variable. */
export const getDatabasePath = () => readVariables({ DATABASE_PATH: databaseVariables.DATABASE_PATH }).DATABASE_PATH;

export const getDatabaseUrl = () => readVariables({ DATABASE_URL: databaseVariables.DATABASE_URL }).DATABASE_URL;

export const getDatabasePoolSize = () => readVariables({ DATABASE_POOL_SIZE: databaseVariables.DATABASE_POOL_SIZE }).DATABASE_POOL_SIZE;

/**
 * Which database this process uses. `next build` prerenders a few pages that read the site's
 * settings; it gets an empty SQLite database in memory whatever the configuration (db/index.ts).
 * @returns {Dialect}
 */
export function getDialect() {
  if (process.env.NEXT_PHASE === 'phase-production-build') return 'sqlite';
  return getDatabaseUrl() ? 'postgres' : 'sqlite';
}
