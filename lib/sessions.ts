import { and, eq, gt, lt } from 'drizzle-orm';
import { getDb } from '@/db';
import { sessions, users } from '@/db/schema';
import { randomToken, sha256 } from '@/lib/crypto';
import type { AuthUser } from '@/lib/users';

export const SESSION_COOKIE = 'quire_session';
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Starts a session: the random token goes in the cookie, only its hash in the database. */
export function createSession(userId: number, now = Date.now()): { token: string; expiresAt: string } {
  const token = randomToken(32);
  const expiresAt = new Date(now + SESSION_TTL_SECONDS * 1000).toISOString();
  const db = getDb();
  db.delete(sessions)
    .where(lt(sessions.expiresAt, new Date(now).toISOString()))
    .run();
  db.insert(sessions)
    .values({ id: sha256(token), userId, expiresAt })
    .run();
  return { token, expiresAt };
}

export function getSessionUser(token: string | undefined, now = Date.now()): AuthUser | undefined {
  if (!token || token.length > 200) return undefined;
  return getDb()
    .select({ id: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sha256(token)), gt(sessions.expiresAt, new Date(now).toISOString())))
    .get();
}

export function deleteSession(token: string): void {
  getDb()
    .delete(sessions)
    .where(eq(sessions.id, sha256(token)))
    .run();
}
