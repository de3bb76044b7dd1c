import { count, eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { users } from '@/db/schema';
import { isUniqueViolation } from '@/db/sql';
import { AppError } from '@/lib/errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '@/lib/auth/password';
import type { AuthUser } from '@/lib/auth/schemas';

const publicColumns = { id: users.id, email: users.email, name: users.name };

export async function countUsers(): Promise<number> {
  const [row] = await getDb().select({ n: count() }).from(users);
  return row!.n;
}

export async function createUser(input: { email: string; name: string; password: string }): Promise<AuthUser> {
  const passwordHash = await hashPassword(input.password);
  const email = input.email.trim().toLowerCase();
  try {
    const [user] = await transaction((tx) => tx.insert(users).values({ email, name: input.name, passwordHash }).returning(publicColumns));
    return user!;
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', 'An account with this email already exists.', {
        errors: [{ field: 'email', message: 'An account with this email already exists.' }],
      });
    }
    throw error;
  }
}

/** The user if the email and password match; the same work is done when the email is unknown. */
export async function verifyCredentials(email: string, password: string): Promise<AuthUser | undefined> {
  const [user] = await getDb().select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  if (!user) return verifyAgainstDummy(password).then(() => undefined);
  if (!(await verifyPassword(password, user.passwordHash))) return undefined;
  return { id: user.id, email: user.email, name: user.name };
}

export async function getUser(id: number): Promise<AuthUser | undefined> {
  const [user] = await getDb().select(publicColumns).from(users).where(eq(users.id, id)).limit(1);
  return user;
}
