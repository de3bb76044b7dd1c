import { z } from 'zod';
import { databasePathSchema, databasePoolSizeSchema, databaseUrlSchema } from '@/db/config';
import { canonicalTimeZone } from '@/lib/site/format';
import { serverAddress } from '@/server/address.mjs';

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const POST_MAX_BYTES_RANGE = 'must be a whole number of bytes from 65536 (64 KiB) to 8388608 (8 MiB)';
const IPV6_PREFIX_RANGE = 'must be a whole number from 32 to 128 (64 counts each /64 network as one client)';

const envSchema = z.object({
  DATABASE_PATH: databasePathSchema,
  DATABASE_URL: databaseUrlSchema,
  DATABASE_POOL_SIZE: databasePoolSizeSchema,
  SITE_URL: z
    .url({ protocol: /^https?$/, error: 'SITE_URL must be an absolute http(s) URL such as https://blog.example.com' })
    // Unset (the scripts; the server sets it to its own address): where the server would listen.
    .default(() => serverAddress().url)
    .transform((url) => url.replace(/\/+$/, '')),
  SITE_NAME: z.string().trim().min(1).default('Quire'),
  /** The byline in structured data and feeds; the blog's name when unset. */
  SITE_AUTHOR: z.preprocess(emptyAsUndefined, z.string().trim().min(1).optional()),
  SITE_DESCRIPTION: z.string().trim().min(1).default('Notes on building for the web, written with Quire.'),
  /** The zone dates are shown in (an IANA name such as Europe/Berlin); the server's own when unset. */
  SITE_TIME_ZONE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .refine((zone) => canonicalTimeZone(zone) !== undefined, 'SITE_TIME_ZONE must be an IANA time zone such as Europe/Berlin')
      .transform((zone) => canonicalTimeZone(zone)!)
      .optional(),
  ),
  ADMIN_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters (try `openssl rand -hex 32`)').optional(),
  ),
  ADMIN_SETUP_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'ADMIN_SETUP_TOKEN must be at least 16 characters').optional()),
  SEED_DEMO_CONTENT: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('true')).transform((v) => v === 'true'),
  /** Next's page and data cache in this Redis, shared by every instance; in each process's memory when unset. */
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL such as redis://localhost:6379' }).optional(),
  ),
  /** Namespaces this blog's keys, so several blogs can share one Redis. */
  REDIS_KEY_PREFIX: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[\w.:-]{1,64}$/, 'REDIS_KEY_PREFIX must be 1 to 64 letters, digits, `_`, `.`, `:` or `-`')
      .default('quire'),
  ),
  /**
   * The largest Markdown text of a post (and a page), in bytes of UTF-8: 1 MiB holds about 160,000
   * English words, or a third as many characters of Chinese or Japanese. Other bodies keep 64 KiB
   * (lib/http/body.ts); a longer text also takes longer to render (lib/render/markdown.ts).
   */
  POST_MAX_BYTES: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: POST_MAX_BYTES_RANGE })
      .int(POST_MAX_BYTES_RANGE)
      .min(64 * 1024, POST_MAX_BYTES_RANGE)
      .max(8 * 1024 * 1024, POST_MAX_BYTES_RANGE)
      .default(1024 * 1024),
  ),
  /**
   * The IPv6 network per-address limits count as one client: a /64 belongs to one customer of any
   * host, so counting single addresses in it would give one person billions of buckets.
   */
  RATE_LIMIT_IPV6_PREFIX: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: IPV6_PREFIX_RANGE }).int(IPV6_PREFIX_RANGE).min(32, IPV6_PREFIX_RANGE).max(128, IPV6_PREFIX_RANGE).default(64),
  ),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

/** Reads and validates the configuration once; a bad value stops the server with a message naming the variable. */
export function getEnv(): Env {
  if (cached) return cached;
  const result = envSchema.safeParse(process.env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  cached = result.data;
  return cached;
}
