import { z } from 'zod';

/**
 * DATABASE_PATH, the one setting db/ reads itself: db/ is the leaf and imports nothing of ours.
 * lib/env validates it with the rest of the configuration, from this same schema.
 */
export const databasePathSchema = z.string().trim().min(1).default('data/quire.db');

/** The SQLite file to open; a bad value stops the caller with a message naming the variable. */
export function getDatabasePath(): string {
  const result = databasePathSchema.safeParse(process.env.DATABASE_PATH);
  if (!result.success) throw new Error(`Invalid configuration:\n  DATABASE_PATH: ${result.error.issues[0]!.message}`);
  return result.data;
}
