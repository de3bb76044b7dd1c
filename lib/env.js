// @ts-check
/*
 * Every environment variable Quire reads, declared once, in the spirit of t3's createEnv: an empty
 * string counts as unset, and one error names every bad variable (db/config.js readVariables).
 * Plain JavaScript with JSDoc types, so server/index.mjs reads it under Node before Next starts,
 * and TypeScript infers `Env` from it. The database's three variables are declared in
 * db/config.js, because db/ reads them itself and imports nothing of ours.
 *
 * Not configuration, so not declared here: what Quire's processes tell each other (QUIRE_SERVER,
 * QUIRE_WORKER_ID) and what Node and Next set (NODE_ENV, NEXT_RUNTIME, NEXT_PHASE, NEXT_DIST_DIR,
 * NEXT_MANUAL_SIG_HANDLE).
 */
import os from 'node:os';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { databaseVariables, readVariables } from '../db/config.js';
import { canonicalTimeZone } from './time-zone.js';

/** The port when neither `-p` nor PORT gives one. */
export const DEFAULT_PORT = 3000;

const POST_MAX_BYTES_RANGE = 'must be a whole number of bytes from 65536 (64 KiB) to 8388608 (8 MiB)';
const IPV6_PREFIX_RANGE = 'must be a whole number from 32 to 128 (64 counts each /64 network as one client)';
const PORT_RANGE = 'must be a whole number from 0 to 65535';

/**
 * TRUST_PROXY, as Express's `trust proxy` reads it: unset or `false` trusts no one (the socket's
 * address is the client); a number trusts that many proxies in front of Quire; otherwise a
 * comma-separated list of addresses, CIDR ranges and the names `loopback`, `linklocal` and
 * `uniquelocal`. `true` trusts every hop, which only a server that nobody can reach directly may use.
 * Read as the test server/edge.mjs applies to each hop: `(address, hop) => trusted`.
 */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((text = '', context) => {
    if (text === '' || text === 'false' || text === '0') return () => false;
    if (text === 'true') return () => true;
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      return (/** @type {string} */ _address, /** @type {number} */ hop) => hop < hops;
    }
    try {
      return proxyAddr.compile(text.split(',').map((part) => part.trim()));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      context.addIssue({
        code: 'custom',
        message: `${reason}. Use a hop count (1), addresses or CIDR ranges (10.0.0.0/8), loopback, linklocal or uniquelocal.`,
      });
      return z.NEVER;
    }
  });

/**
 * WORKERS: server processes on one port (server/workers.mjs); unset: 1, `auto`: one per core, counted
 * when WORKERS is read, not on import (a script reading SITE_URL has no use for it).
 * @param {number} [cores]
 */
const workers = (cores) =>
  z
    .string()
    .optional()
    .transform((value, context) => {
      const text = (value ?? '').trim();
      if (text === '') return 1;
      if (text === 'auto') return cores ?? os.availableParallelism();
      if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 64) return Number(text);
      context.addIssue({ code: 'custom', message: `must be a whole number from 1 to 64, or auto for one per core (got "${value}").` });
      return z.NEVER;
    });

const address = {
  /** The interface the server listens on (`-H` overrides it); every one when unset. */
  HOSTNAME: z.string().default('0.0.0.0'),
  /** The port the server listens on (`-p` overrides it). */
  PORT: z.string().trim().regex(/^\d+$/, PORT_RANGE).transform(Number).pipe(z.number().max(65535, PORT_RANGE)).default(DEFAULT_PORT),
};

const variables = {
  ...databaseVariables,
  ...address,
  /** The blog's address; where the server listens when unset (see readEnv). */
  SITE_URL: z
    .url({ protocol: /^https?$/, error: 'SITE_URL must be an absolute http(s) URL such as https://blog.example.com' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  SITE_NAME: z.string().trim().min(1).default('Quire'),
  /** The byline in structured data and feeds; the blog's name when unset. */
  SITE_AUTHOR: z.string().trim().min(1).optional(),
  SITE_DESCRIPTION: z.string().trim().min(1).default('Notes on building for the web, written with Quire.'),
  /** The zone dates are shown in (an IANA name such as Europe/Berlin); the server's own when unset. */
  SITE_TIME_ZONE: z
    .string()
    .trim()
    .refine((zone) => canonicalTimeZone(zone) !== undefined, 'SITE_TIME_ZONE must be an IANA time zone such as Europe/Berlin')
    .transform((zone) => /** @type {string} */ (canonicalTimeZone(zone)))
    .optional(),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters (try `openssl rand -hex 32`)').optional(),
  ADMIN_SETUP_TOKEN: z.string().min(16, 'ADMIN_SETUP_TOKEN must be at least 16 characters').optional(),
  SEED_DEMO_CONTENT: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Next's page and data cache in this Redis, shared by every instance; in each process's memory when unset. */
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL such as redis://localhost:6379' })
    .optional(),
  /** Namespaces this blog's keys, so several blogs can share one Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, 'REDIS_KEY_PREFIX must be 1 to 64 letters, digits, `_`, `.`, `:` or `-`')
    .default('quire'),
  /**
   * The largest Markdown text of a post (and a page), in bytes of UTF-8: 1 MiB holds about 160,000
   * English words, or a third as many characters of Chinese or Japanese. Other bodies keep 64 KiB
   * (lib/http/body.ts); a longer text also takes longer to render (lib/render/markdown.ts).
   */
  POST_MAX_BYTES: z.coerce
    .number({ error: POST_MAX_BYTES_RANGE })
    .int(POST_MAX_BYTES_RANGE)
    .min(64 * 1024, POST_MAX_BYTES_RANGE)
    .max(8 * 1024 * 1024, POST_MAX_BYTES_RANGE)
    .default(1024 * 1024),
  /**
   * The IPv6 network per-address limits count as one client: a /64 belongs to one customer of any
   * host, so counting single addresses in it would give one person billions of buckets.
   */
  RATE_LIMIT_IPV6_PREFIX: z.coerce
    .number({ error: IPV6_PREFIX_RANGE })
    .int(IPV6_PREFIX_RANGE)
    .min(32, IPV6_PREFIX_RANGE)
    .max(128, IPV6_PREFIX_RANGE)
    .default(64),
  /** Behind how many proxies, or which, the client's address is read from X-Forwarded-For (server/edge.mjs). */
  TRUST_PROXY: trustProxy,
  WORKERS: workers(),
};

/**
 * The host and port a server started with these options (`-H`, `-p`) and environment listens on,
 * and the URL that reaches it from this machine (localhost when it listens on every interface).
 * @param {{ hostname?: string, port?: string | number }} [options]
 * @param {Record<string, string | undefined>} [env]
 */
export function serverAddress({ hostname, port } = {}, env = process.env) {
  const { HOSTNAME, PORT } = readVariables(address, { HOSTNAME: hostname ?? env.HOSTNAME, PORT: port?.toString() ?? env.PORT });
  const shown = HOSTNAME === '0.0.0.0' || HOSTNAME === '::' ? 'localhost' : HOSTNAME.includes(':') ? `[${HOSTNAME}]` : HOSTNAME;
  return { hostname: HOSTNAME, port: PORT, url: `http://${shown}:${PORT}` };
}

function readEnv(source = process.env) {
  const env = readVariables(variables, source);
  // The server's own address when unset: the scripts (admin:create) name the same one as the server.
  return { ...env, SITE_URL: env.SITE_URL ?? serverAddress({}, source).url };
}

/** @typedef {ReturnType<typeof readEnv>} Env */

/** @type {Env | undefined} */
let cached;

/** Reads and validates the configuration once; a bad value stops the server with a message naming the variable. */
export function getEnv() {
  return (cached ??= readEnv());
}

/** TRUST_PROXY's value read on its own, as getEnv() reads it. */
export const parseTrustProxy = (/** @type {string | undefined} */ value) =>
  readVariables({ TRUST_PROXY: trustProxy }, { TRUST_PROXY: value }).TRUST_PROXY;

/** WORKERS's value read on its own, as getEnv() reads it, on a machine with `cores` cores. */
export const parseWorkers = (/** @type {string | undefined} */ value, /** @type {number} */ cores = os.availableParallelism()) =>
  readVariables({ WORKERS: workers(cores) }, { WORKERS: value }).WORKERS;
