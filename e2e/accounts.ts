import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface Account {
  name: string;
  email: string;
  password: string;
}

/**
 * An author account of its own, made with `npm run admin:create` on the server's database. Specs that
 * change a password or end sessions use one: the setup author's session is shared by the other specs.
 * Starting the command takes seconds on a busy machine (tsx compiles the script), so specs start it early.
 */
export async function createAuthor(unique: string): Promise<Account> {
  const account = { name: `Account ${unique}`, email: `account-${unique}@example.com`, password: `first password ${unique}` };
  await promisify(execFile)('node_modules/.bin/tsx', ['scripts/admin-create.ts', '--email', account.email, '--name', account.name], {
    env: { ...process.env, DATABASE_PATH: process.env.E2E_DATABASE_PATH, QUIRE_ADMIN_PASSWORD: account.password },
  });
  return account;
}
