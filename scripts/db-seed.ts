import { closeDb, prepareDatabase } from '@/db';
import { seedDemoContent } from '@/lib/ops/demo-content';
import { databaseName } from './cli';

// `npm run db:seed`: adds the demo posts that are missing (it never duplicates or overwrites).
await prepareDatabase();
const { posts, comments } = await seedDemoContent();
console.log(`Seeded ${posts} posts and ${comments} comments into ${databaseName()}.`);
await closeDb();
