/**
 * Runs once when the server starts: validates the configuration, opens the database, applies
 * pending migrations, adds the demo content to a brand-new database, indexes posts the search
 * index lacks, renders again the HTML an older Markdown pipeline stored (lib/render/render-version.ts)
 * and, while the blog has no author, prints the one-time setup token. With WORKERS=N each worker
 * runs this in turn (server/workers.mjs starts the next once the previous one listens). On SIGTERM
 * or SIGINT it lets the requests in flight finish, then closes the database (see
 * lib/ops/graceful-shutdown.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // Only Quire's server tells the app the client's real address; behind `next start` every rate
  // limit would trust whatever X-Forwarded-For a client sends.
  if (process.env.NODE_ENV === 'production' && process.env.QUIRE_SERVER !== '1') {
    throw new Error('Start Quire with `npm run serve` (node server/index.mjs), not `next start`: see docs/security.md.');
  }
  const { getEnv } = await import('@/lib/env');
  const { closeDb, getDialect, prepareDatabase } = await import('@/db');
  const env = getEnv();
  // Before the database, so a wrong REDIS_URL stops start-up before anything is written.
  if (env.REDIS_URL) {
    const { connectRedisCache } = await import('@/lib/redis-cache.mjs');
    await connectRedisCache(env.REDIS_URL, { prefix: env.REDIS_KEY_PREFIX });
  }
  const { created } = await prepareDatabase();
  // Before any request: from here on, cached pages and data follow other processes' writes.
  const { shareCacheTags } = await import('@/lib/shared-cache-tags');
  const stopSharingTags = await shareCacheTags();
  // Scheduled posts expire the cached pages at their time, in this process and for every other.
  const { startPublicationClock } = await import('@/lib/content/publication-clock');
  const stopClock = await startPublicationClock();
  const { installGracefulShutdown } = await import('@/lib/ops/graceful-shutdown');
  installGracefulShutdown({
    onExit: async () => {
      stopClock();
      await stopSharingTags();
      await closeDb();
    },
  });
  if (created && env.SEED_DEMO_CONTENT) {
    const { seedDemoContent } = await import('@/lib/ops/demo-content');
    const seeded = await seedDemoContent();
    console.log(
      `Quire: new database ${getDialect() === 'postgres' ? 'on PostgreSQL (DATABASE_URL)' : `at ${env.DATABASE_PATH}`}, added ${seeded.posts} demo posts and ${seeded.comments} comments.`,
    );
  }
  const { indexMissingPosts } = await import('@/lib/content/search');
  const indexed = await indexMissingPosts();
  if (indexed > 0) console.log(`Quire: added ${indexed} posts to the search index.`);
  const { renderStaleHtml } = await import('@/lib/render/render-version');
  const rendered = await renderStaleHtml();
  if (rendered > 0) console.log(`Quire: rendered ${rendered} posts and comments again (code blocks are now highlighted).`);
  // With WORKERS=N the first worker makes the setup token; another would replace its hash with its own.
  if (Number(process.env.QUIRE_WORKER_ID ?? 1) > 1) return;
  const { prepareSetup } = await import('@/lib/auth/setup');
  const setup = await prepareSetup();
  if (setup) {
    const where = `${env.SITE_URL}/admin/setup`;
    console.log(
      setup.fromEnv
        ? `Quire: no author account yet. Create one at ${where} with the ADMIN_SETUP_TOKEN, or run \`npm run admin:create\`.`
        : `Quire: no author account yet. Create one at ${where} with this one-time setup token:\n\n    ${setup.token}\n\n(or run \`npm run admin:create\`).`,
    );
  }
}
