import { execFileSync } from 'node:child_process';

export interface Account {
  name: string;
  email: string;
  password: string;
}

/**
 * An author account of its own, made with `npm run admin:create` on the server's database. Specs that
 * change a password or end sessions use one: the setup author's session is shared by the other specs.
 */
export function createAuthor(unique: string): Account {
  const account = { name: `Account ${unique}`, email: `account-${unique}@example.com`, password: `first password ${unique}` };
  execFileSync('npx', ['tsx', 'scripts/admin-create.ts', '--email', account.email, '--name', account.name], {
    env: { ...process.env, DATABASE_PATH: process.env.E2E_DATABASE_PATH, QUIRE_ADMIN_PASSWORD: account.password },
    stdio: 'pipe',
  });
  return account;
}
