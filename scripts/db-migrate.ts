import { closeDb, getDatabaseHealth } from '@/db';
import { getEnv } from '@/lib/env';

// `npm run db:migrate`: the server does this on start too; this is for deploy scripts.
const { migrations } = getDatabaseHealth();
console.log(`${getEnv().DATABASE_PATH} is at migration ${migrations}.`);
closeDb();
