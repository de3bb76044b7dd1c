import { createInterface } from 'node:readline';
import { closeDb, prepareDatabase } from '@/db';
import { getEnv } from '@/lib/env';
import { setupSchema } from '@/lib/auth/schemas';
import { createUser } from '@/lib/auth/users';
import { databaseName, parseCommand } from './cli';

/*
 * `npm run admin:create`: adds an author account from the command line, asking for what is not
 * given. Non-interactive use: `npm run admin:create -- --email ada@example.com --name Ada` with the
 * password in QUIRE_ADMIN_PASSWORD.
 */

const HELP = {
  usage: 'npm run admin:create [-- --email EMAIL --name NAME]',
  description:
    'Adds an author account, asking for what is not given. The password is read from QUIRE_ADMIN_PASSWORD\nwhen set, otherwise asked for without echo.',
};

let values: { email?: string; name?: string };
try {
  ({ values } = parseCommand(HELP, { email: { type: 'string' }, name: { type: 'string' } }));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

// One interface for every question, so answers piped on stdin are read in order.
const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
const lines = rl[Symbol.asyncIterator]();
let muted = false;
const output = rl as unknown as { _writeToOutput: (text: string) => void };
const write = output._writeToOutput.bind(rl);
// Echo nothing while the password is typed.
output._writeToOutput = (text) => {
  if (!muted) write(text);
};

async function ask(question: string, hidden = false): Promise<string> {
  process.stdout.write(question);
  muted = hidden;
  const { value } = await lines.next();
  muted = false;
  if (hidden) process.stdout.write('\n');
  return String(value ?? '').trim();
}

async function main() {
  const email = values.email ?? (await ask('Email: '));
  const name = values.name ?? (await ask('Name: '));
  const password = process.env.QUIRE_ADMIN_PASSWORD ?? (await ask('Password (at least 12 characters): ', true));
  const parsed = setupSchema.omit({ setupToken: true }).safeParse({ email, name, password });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    process.exitCode = 1;
    return;
  }
  await prepareDatabase();
  const user = await createUser(parsed.data);
  console.log(`Created author ${user.name} <${user.email}> in ${databaseName()}. Sign in at ${getEnv().SITE_URL}/admin.`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(async () => {
    rl.close();
    await closeDb();
  });
