import { type SQL, eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { users } from '@/db/schema';
import { isUniqueViolation } from '@/db/sql';
import { AppError } from '@/lib/errors';
import { hashPassword, verifyAgainstDummy, verifyPassword } from '@/lib/auth/password';
import type { AuthUser } from '@/lib/auth/schemas';

const publicColumns = { id: users.id, email: users.email, name: users.name };

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

/** An account whose password was checked, and the hash it matched (a sign-in starts its session only while that is still the password). */
export interface VerifiedAccount {
  user: AuthUser;
  passwordHash: string;
}

/** The account `where` names if `password` is its password; the same work is done when there is no such account. */
async function verifyAccount(where: SQL, password: string): Promise<VerifiedAccount | undefined> {
  const [row] = await getDb().select().from(users).where(where).limit(1);
  if (!row) return verifyAgainstDummy(password).then(() => undefined);
  if (!(await verifyPassword(password, row.passwordHash))) return undefined;
  return { user: { id: row.id, email: row.email, name: row.name }, passwordHash: row.passwordHash };
}

export const verifyAccountByEmail = (email: string, password: string) =>
  verifyAccount(eq(users.email, email.trim().toLowerCase()), password);

export const verifyAccountById = (id: number, password: string) => verifyAccount(eq(users.id, id), password);

/** The user if the email and password match; the same work is done when the email is unknown. */
export async function verifyCredentials(email: string, password: string): Promise<AuthUser | undefined> {
  return (await verifyAccountByEmail(email, password))?.user;
}
