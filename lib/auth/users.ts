import { count, eq } from 'drizzle-orm';
import { getDb } from '@/db';
import { users } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '@/lib/auth/password';
import type { AuthUser } from '@/lib/auth/schemas';

const publicColumns = { id: users.id, email: users.email, name: users.name };

export function countUsers(): number {
  return getDb().select({ n: count() }).from(users).get()!.n;
}

export async function createUser(input: { email: string; name: string; password: string }): Promise<AuthUser> {
  const passwordHash = await hashPassword(input.password);
  const email = input.email.trim().toLowerCase();
  try {
    return getDb().insert(users).values({ email, name: input.name, passwordHash }).returning(publicColumns).get();
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new AppError('conflict', 'An account with this email already exists.', {
        errors: [{ field: 'email', message: 'An account with this email already exists.' }],
      });
    }
    throw error;
  }
}

/** The user if the email and password match; the same work is done when the email is unknown. */
export async function verifyCredentials(email: string, password: string): Promise<AuthUser | undefined> {
  const user = getDb().select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
  if (!user) return verifyAgainstDummy(password).then(() => undefined);
  if (!(await verifyPassword(password, user.passwordHash))) return undefined;
  return { id: user.id, email: user.email, name: user.name };
}

export function getUser(id: number): AuthUser | undefined {
  return getDb().select(publicColumns).from(users).where(eq(users.id, id)).get();
}
