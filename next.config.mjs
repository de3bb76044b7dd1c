/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Benchmarks and resilience tests build into their own folder so they never clobber the main build.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // The database and its migrations are read from disk at run time, never bundled.
  serverExternalPackages: ['better-sqlite3'],
  async headers() {
    return [
      // The admin area is never indexed, whatever a crawler makes of robots.txt.
      { source: '/admin/:path*', headers: [{ key: 'X-Robots-Tag', value: 'noindex, nofollow' }] },
      { source: '/admin', headers: [{ key: 'X-Robots-Tag', value: 'noindex, nofollow' }] },
    ];
  },
};

export default nextConfig;
