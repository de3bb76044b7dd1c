import 'server-only';
import { AppError } from '@/lib/errors';
import type { LimitAddress } from '@/lib/http/client-address';
import { type Backoff, clear, refundAttempt, reserveAttempt, tooManyRequests } from '@/lib/rate-limit';
import { startSessionIfPasswordIs } from '@/lib/auth/sessions';
import type { AuthUser } from '@/lib/auth/schemas';
import { verifyAccountByEmail } from '@/lib/auth/users';

/**
 * Sign-in throttling slows guessing down without locking the author out:
 * - per account and address: 5 attempts at once, then 1 s, 2 s, 4 s ... up to 15 minutes between
 *   attempts; a correct password clears it. Failures from other addresses never delay an address
 *   that has none, so nobody can lock the author out from elsewhere.
 * - per address, over all accounts: 20 attempts at once, then the same doubling delay, so one
 *   address cannot try a password on many accounts. A correct password gives its attempt back.
 * Each attempt is counted before the password is checked, so guesses sent at once cannot all be
 * checked before the first failure is recorded.
 */
export const SIGN_IN_BACKOFF = {
  pair: { free: 5, baseSeconds: 1, maxSeconds: 15 * 60 },
  address: { free: 20, baseSeconds: 1, maxSeconds: 15 * 60 },
} satisfies Record<string, Backoff>;

/** Keys as JSON arrays, so no email or address can run into another's key. */
export const signInKeys = (email: string, address: LimitAddress) => ({
  pair: `sign-in:${JSON.stringify([email.trim().toLowerCase(), address])}`,
  address: `sign-in:${JSON.stringify([address])}`,
});

/**
 * Checks a password as one sign-in attempt on the account `email` from `address`: counted by the
 * throttle before `verify` runs, and given back when it succeeds. A password change checks the
 * current password through here too, so a stolen session guesses no faster than a sign-in form.
 */
export async function checkPasswordThrottled<T>(
  email: string,
  address: LimitAddress,
  verify: () => Promise<T | undefined>,
  wrong: () => AppError,
): Promise<T> {
  const keys = signInKeys(email, address);
  const addressTurn = await reserveAttempt(keys.address, SIGN_IN_BACKOFF.address);
  if (!addressTurn.allowed) throw tooManyRequests(addressTurn.retryAfter, 'Too many failed sign-ins from your network.');
  const pairTurn = await reserveAttempt(keys.pair, SIGN_IN_BACKOFF.pair);
  if (!pairTurn.allowed) {
    await refundAttempt(keys.address);
    throw tooManyRequests(pairTurn.retryAfter, 'Too many failed sign-ins.');
  }
  const verified = await verify();
  if (verified === undefined) throw wrong();
  await clear(keys.pair);
  await refundAttempt(keys.address);
  return verified;
}

const wrongCredentials = () =>
  new AppError('unauthorized', 'The email or password is not right.', {
    errors: [{ field: 'password', message: 'The email or password is not right.' }],
  });

export async function signIn(
  email: string,
  password: string,
  address: LimitAddress,
): Promise<{ user: AuthUser; token: string; expiresAt: string }> {
  const { user, passwordHash } = await checkPasswordThrottled(
    email,
    address,
    () => verifyAccountByEmail(email, password),
    wrongCredentials,
  );
  // The password may have changed since it was checked (a change ends every session); then it is wrong now.
  const session = await startSessionIfPasswordIs(user.id, passwordHash);
  if (!session) throw wrongCredentials();
  return { user, ...session };
}
