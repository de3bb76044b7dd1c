import { defineConfig } from 'drizzle-kit';
import { getDatabaseUrl } from './db/config';

/*
 * drizzle-kit for PostgreSQL (drizzle.config.ts is SQLite's). `generate` compares the schema with the
 * last snapshot in db/postgres/migrations and needs no server; `studio` opens DATABASE_URL.
 */
const url = getDatabaseUrl();

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/postgres/schema.ts',
  out: './db/postgres/migrations',
  ...(url ? { dbCredentials: { url } } : {}),
  casing: 'snake_case',
  strict: true,
  verbose: true,
});
