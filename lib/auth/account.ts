import 'server-only';
import { eq } from 'drizzle-orm';
import { transaction } from '@/db';
import { sessions, users } from '@/db/schema';
import { fieldError } from '@/lib/errors';
import type { LimitAddress } from '@/lib/http/client-address';
import { hashPassword } from '@/lib/auth/password';
import type { AuthUser, PasswordChangeInput } from '@/lib/auth/schemas';
import { insertSession } from '@/lib/auth/sessions';
import { checkPasswordThrottled } from '@/lib/auth/sign-in';
import { verifyAccountById } from '@/lib/auth/users';

/*
 * The signed-in author's own account. Signing out of the other sessions is endOtherSessions in
 * sessions.ts; API tokens are managed on their own page and outlive both.
 */

/**
 * Sets a new password once the current one is proven, through the sign-in throttle (the same
 * counters: guesses here and at the sign-in form add up). In one transaction the password changes,
 * every session of the author ends (whoever else holds one is signed out) and this browser gets a
 * fresh one, so a copy of its old cookie is worth nothing either. Returns the new session.
 */
export async function changePassword(
  user: AuthUser,
  input: PasswordChangeInput,
  address: LimitAddress,
): Promise<{ token: string; expiresAt: string }> {
  await checkPasswordThrottled(
    user.email,
    address,
    () => verifyAccountById(user.id, input.currentPassword),
    () => fieldError('currentPassword', 'The current password is not right.'),
  );
  // Hashing is slow on purpose: done before the transaction, which on SQLite holds the write lock.
  const passwordHash = await hashPassword(input.newPassword);
  return transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date().toISOString() }).where(eq(users.id, user.id));
    await tx.delete(sessions).where(eq(sessions.userId, user.id));
    return insertSession(tx, user.id);
  });
}
