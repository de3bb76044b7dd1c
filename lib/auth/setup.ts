import 'server-only';
import { count, eq } from 'drizzle-orm';
import { type DB, type Tx, getDb, writeTransaction } from '@/db';
import { settings, users } from '@/db/schema';
import { randomToken, safeEqual, sha256 } from '@/lib/auth/crypto';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { hit, tooManyRequests } from '@/lib/rate-limit';
import { hashPassword } from '@/lib/auth/password';
import type { AuthUser } from '@/lib/auth/schemas';

const KEY = 'setup_token_hash';

/**
 * On a blog without an author, makes a one-time setup token (or takes ADMIN_SETUP_TOKEN) and
 * stores its hash; the caller prints it once. Returns undefined when an author exists.
 */
export function prepareSetup(): { token: string; fromEnv: boolean } | undefined {
  const db = getDb();
  if (db.select({ n: count() }).from(users).get()!.n > 0) return undefined;
  const fromEnv = getEnv().ADMIN_SETUP_TOKEN;
  const token = fromEnv ?? randomToken(18);
  const value = sha256(token);
  db.insert(settings).values({ key: KEY, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
  return { token, fromEnv: fromEnv !== undefined };
}

const alreadySetUp = () => new AppError('conflict', 'Quire is already set up. Sign in instead.');

function assertSetupToken(token: string, db: DB | Tx = getDb()): void {
  const stored = db.select({ value: settings.value }).from(settings).where(eq(settings.key, KEY)).get();
  if (!stored || !safeEqual(sha256(token), stored.value)) {
    throw new AppError('forbidden', 'The setup token is not valid. Use the one printed in the server log at start.', {
      errors: [{ field: 'setupToken', message: 'This is not the setup token from the server log.' }],
    });
  }
}

export function isSetupPending(): boolean {
  return getDb().select({ n: count() }).from(users).get()!.n === 0;
}

/** Setup attempts per address: plenty for a person, few for a script guessing tokens or burning CPU. */
export const SETUP_LIMIT = { max: 10, windowSeconds: 15 * 60 };

/**
 * Creates the first author with the setup token; the token stops working at once. The cheap checks
 * come first (setup still pending, the address's attempts, the token in constant time), so the
 * password is hashed, which is deliberately slow, only for the one request that will succeed.
 */
export async function completeSetup(
  input: { setupToken: string; email: string; name: string; password: string },
  address = 'unknown',
): Promise<AuthUser> {
  if (!isSetupPending()) throw alreadySetUp();
  const attempts = hit(`setup:${JSON.stringify([address])}`, SETUP_LIMIT);
  if (attempts.count > SETUP_LIMIT.max) throw tooManyRequests(attempts.retryAfter, 'Too many setup attempts.');
  assertSetupToken(input.setupToken);
  const passwordHash = await hashPassword(input.password);
  return writeTransaction((tx) => {
    // Checked again inside the write: two requests with the right token may have raced here.
    if (tx.select({ n: count() }).from(users).get()!.n > 0) throw alreadySetUp();
    assertSetupToken(input.setupToken, tx);
    tx.delete(settings).where(eq(settings.key, KEY)).run();
    return tx
      .insert(users)
      .values({ email: input.email.trim().toLowerCase(), name: input.name, passwordHash })
      .returning({ id: users.id, email: users.email, name: users.name })
      .get();
  });
}
