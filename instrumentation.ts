/**
 * Runs once when the server starts: validates the configuration, opens the database,
 * applies pending migrations and, on a brand-new database, adds the demo content.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { getEnv } = await import('@/lib/env');
  const { getDatabase } = await import('@/db');
  const env = getEnv();
  const { created } = getDatabase();
  if (created && env.SEED_DEMO_CONTENT) {
    const { seedDemoContent } = await import('@/db/demo-content');
    const seeded = seedDemoContent();
    console.log(`Quire: new database at ${env.DATABASE_PATH}, added ${seeded.posts} demo posts and ${seeded.comments} comments.`);
  }
}
