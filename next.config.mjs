/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The database and its migrations are read from disk at run time, never bundled.
  serverExternalPackages: ['better-sqlite3'],
};

export default nextConfig;
