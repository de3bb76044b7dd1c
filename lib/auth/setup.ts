import 'server-only';
import { count } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { users } from '@/db/schema';
import { randomToken, safeEqual, sha256 } from '@/lib/auth/crypto';
import { getEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { type LimitAddress, addressForLimits } from '@/lib/http/client-address';
import { hit, tooManyRequests } from '@/lib/rate-limit';
import { hashPassword } from '@/lib/auth/password';
import { readSetting, storeSetting, takeSetting } from '@/lib/settings-store';
import type { AuthUser } from '@/lib/auth/schemas';

const KEY = 'setup_token_hash';

/**
 * On a blog without an author, makes a one-time setup token (or takes ADMIN_SETUP_TOKEN) and
 * stores its hash; the caller prints it once. Returns undefined when an author exists.
 */
export async function prepareSetup(): Promise<{ token: string; fromEnv: boolean } | undefined> {
  if (!(await isSetupPending())) return undefined;
  const fromEnv = getEnv().ADMIN_SETUP_TOKEN;
  const token = fromEnv ?? randomToken(18);
  const value = sha256(token);
  await storeSetting(KEY, value);
  return { token, fromEnv: fromEnv !== undefined };
}

const alreadySetUp = () => new AppError('conflict', 'Quire is already set up. Sign in instead.');

const invalidToken = () =>
  new AppError('forbidden', 'The setup token is not valid. Use the one printed in the server log at start.', {
    errors: [{ field: 'setupToken', message: 'This is not the setup token from the server log.' }],
  });

const matches = (token: string, stored: string | undefined) => stored !== undefined && safeEqual(sha256(token), stored);

export async function isSetupPending(): Promise<boolean> {
  const [row] = await getDb().select({ n: count() }).from(users);
  return row!.n === 0;
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
  address: LimitAddress = addressForLimits('unknown'),
): Promise<AuthUser> {
  if (!(await isSetupPending())) throw alreadySetUp();
  const attempts = await hit(`setup:${JSON.stringify([address])}`, SETUP_LIMIT);
  if (attempts.count > SETUP_LIMIT.max) throw tooManyRequests(attempts.retryAfter, 'Too many setup attempts.');
  if (!matches(input.setupToken, await readSetting(KEY))) throw invalidToken();
  const passwordHash = await hashPassword(input.password);
  return transaction(async (tx) => {
    // Two requests with the right token may have come this far: taking the token is one statement,
    // so only one of them gets it (on PostgreSQL the other waits for it, then finds nothing).
    if (!matches(input.setupToken, await takeSetting(tx, KEY))) throw (await isSetupPending()) ? invalidToken() : alreadySetUp();
    if (!(await isSetupPending())) throw alreadySetUp();
    const [user] = await tx
      .insert(users)
      .values({ email: input.email.trim().toLowerCase(), name: input.name, passwordHash })
      .returning({ id: users.id, email: users.email, name: users.name });
    return user!;
  });
}
