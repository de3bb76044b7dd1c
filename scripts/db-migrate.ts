import { closeDb, getDatabaseHealth, prepareDatabase } from '@/db';
import { databaseName } from './cli';

// `npm run db:migrate`: the server does this on start too; this is for deploy scripts.
await prepareDatabase();
const { migrations } = await getDatabaseHealth();
console.log(`${databaseName()} is at migration ${migrations}.`);
await closeDb();
