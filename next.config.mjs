import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Benchmarks and resilience tests build into their own folder so they never clobber the main build.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // The database and its migrations are read from disk at run time, never bundled.
  // The Redis client (REDIS_URL) is loaded from node_modules too, like the cache handler that uses it.
  serverExternalPackages: ['better-sqlite3', 'redis', '@redis/client'],
  // Cached pages and data live in memory (an LRU of cacheMaxMemorySize), not on disk: a restart or
  // a restored backup never serves old content, and requests for endless distinct URLs cannot fill
  // the disk. 16 MB (Next's default is 50) holds about 125 post pages with their comments, more than
  // a blog's busy set: the heap grows by more than the cache does, and a crawler walking every post
  // filled 32 MB and held the server 30 MB higher under the load that followed (docs/benchmarks.md).
  // A blog that needs more shares one cache through Redis (docs/scaling.md).
  cacheMaxMemorySize: 16 * 2 ** 20,
  experimental: { isrFlushToDisk: false },
  // The same memory cache, with cache-tag expiry shared by every server process on the database,
  // so a write in one expires the others' pages too (server/cache-handler.mjs); with REDIS_URL,
  // entries and expiry in Redis, shared by every instance. An absolute path: Next imports it at
  // run time from wherever it runs.
  cacheHandler: fileURLToPath(new URL('./server/cache-handler.mjs', import.meta.url)),
  async rewrites() {
    const query = (key) => [{ type: 'query', key }];
    return {
      beforeFiles: [
        // The home page and its older pages are cached like any page with a path (app/(site)/archive).
        { source: '/', has: [{ type: 'query', key: 'cursor', value: '(?<cursor>.+)' }], destination: '/archive/:cursor' },
        { source: '/', destination: '/archive/latest' },
        // The API reference, cached the same way (app/api/docs/[document]).
        { source: '/api/docs', destination: '/api/docs/reference' },
        // A comment form posted without JavaScript comes back with a query; that page is per visitor.
        ...['replyTo', 'invalid', 'held'].map((key) => ({ source: '/posts/:slug', has: query(key), destination: '/posts/:slug/respond' })),
      ],
    };
  },
  async headers() {
    return [
      // The admin area is never indexed, whatever a crawler makes of robots.txt.
      { source: '/admin/:path*', headers: [{ key: 'X-Robots-Tag', value: 'noindex, nofollow' }] },
      { source: '/admin', headers: [{ key: 'X-Robots-Tag', value: 'noindex, nofollow' }] },
      // An author's preview of a draft is for them alone.
      { source: '/posts/:slug/preview', headers: [{ key: 'X-Robots-Tag', value: 'noindex, nofollow' }] },
    ];
  },
};

export default nextConfig;
