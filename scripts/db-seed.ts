import { closeDb } from '@/db';
import { seedDemoContent } from '@/lib/ops/demo-content';
import { getEnv } from '@/lib/env';

// `npm run db:seed`: adds the demo posts that are missing (it never duplicates or overwrites).
const { posts, comments } = await seedDemoContent();
console.log(`Seeded ${posts} posts and ${comments} comments into ${getEnv().DATABASE_PATH}.`);
closeDb();
