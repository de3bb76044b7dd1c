import { z } from 'zod';

/*
 * The two settings db/ reads itself (db/ is the leaf and imports nothing of ours); lib/env validates
 * them with the rest of the configuration, from these same schemas.
 */

/** DATABASE_PATH: the SQLite file, when DATABASE_URL is not set. */
export const databasePathSchema = z.string().trim().min(1).default('data/quire.db');

/** DATABASE_URL: a PostgreSQL connection URL; unset means SQLite at DATABASE_PATH. */
export const databaseUrlSchema = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined)
  .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
    message: 'must be a postgres:// or postgresql:// URL (or unset, for SQLite at DATABASE_PATH)',
  });

/** DATABASE_POOL_SIZE: PostgreSQL connections per server process. */
export const databasePoolSizeSchema = z.coerce
  .number({ error: 'must be a whole number from 1 to 100' })
  .int('must be a whole number from 1 to 100')
  .min(1, 'must be a whole number from 1 to 100')
  .max(100, 'must be a whole number from 1 to 100')
  .default(10);

export type Dialect = 'sqlite' | 'postgres';

function read<T>(name: string, schema: z.ZodType<T>): T {
  const result = schema.safeParse(process.env[name]);
  if (!result.success) throw new Error(`Invalid configuration:\n  ${name}: ${result.error.issues[0]!.message}`);
  return result.data;
}

/** The SQLite file to open; a bad value stops the caller with a message naming the variable. */
export function getDatabasePath(): string {
  return read('DATABASE_PATH', databasePathSchema);
}

export function getDatabaseUrl(): string | undefined {
  return read('DATABASE_URL', databaseUrlSchema);
}

export function getDatabasePoolSize(): number {
  return read('DATABASE_POOL_SIZE', databasePoolSizeSchema);
}

/**
 * Which database this process uses. `next build` prerenders a few pages that read the site's
 * settings; it gets an empty SQLite database in memory whatever the configuration (db/index.ts).
 */
export function getDialect(): Dialect {
  if (process.env.NEXT_PHASE === 'phase-production-build') return 'sqlite';
  return getDatabaseUrl() ? 'postgres' : 'sqlite';
}
