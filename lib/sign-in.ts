import { AppError } from '@/lib/errors';
import { clear, hit, peek, tooManyRequests } from '@/lib/rate-limit';
import { createSession } from '@/lib/sessions';
import { type AuthUser, verifyCredentials } from '@/lib/users';

/** Failed sign-ins allowed per account and per address in 15 minutes before answering 429. */
export const SIGN_IN_LIMITS = {
  account: { max: 5, windowSeconds: 15 * 60 },
  address: { max: 20, windowSeconds: 15 * 60 },
};

export async function signIn(
  email: string,
  password: string,
  address: string,
): Promise<{ user: AuthUser; token: string; expiresAt: string }> {
  const keys = [
    [`sign-in:account:${email.trim().toLowerCase()}`, SIGN_IN_LIMITS.account],
    [`sign-in:address:${address}`, SIGN_IN_LIMITS.address],
  ] as const;
  for (const [key, limit] of keys) {
    const state = peek(key, limit);
    if (state.count >= limit.max) throw tooManyRequests(state.retryAfter, 'Too many failed sign-ins.');
  }
  const user = await verifyCredentials(email, password);
  if (!user) {
    for (const [key, limit] of keys) hit(key, limit);
    throw new AppError('unauthorized', 'The email or password is not right.', {
      errors: [{ field: 'password', message: 'The email or password is not right.' }],
    });
  }
  clear(keys[0][0]);
  return { user, ...createSession(user.id) };
}
