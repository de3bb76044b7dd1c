import { defineConfig } from 'drizzle-kit';
import { getDatabasePath } from './db/config';

export default defineConfig({
  dialect: 'sqlite',
  schema: './db/sqlite/schema.ts',
  out: './db/sqlite/migrations',
  dbCredentials: { url: getDatabasePath() },
  casing: 'snake_case',
  strict: true,
  verbose: true,
});
