import { z } from 'zod';
import { responseSchema } from '@/lib/schema/registry';

/* The API's own answers, beside the shared vocabulary in lib/schema/. */

export const healthSchema = responseSchema(
  'Health',
  z.object({
    status: z.literal('ok'),
    database: z.literal('ok'),
    databaseKind: z
      .enum(['sqlite', 'postgresql'])
      .describe('Which database the blog runs on: SQLite (DATABASE_PATH) or PostgreSQL (DATABASE_URL)'),
    migrations: z.number().int().describe('How many migrations the database has'),
    version: z.string().nullable().describe('The latest migration applied, e.g. 0005_sitemap_lastmod_index'),
    cache: z
      .enum(['memory', 'ok', 'degraded'])
      .describe(
        "Where cached pages live: `memory` (each process's own), `ok` (Redis, REDIS_URL), `degraded` (Redis does not answer: pages are rendered per request until it does)",
      ),
  }),
);
