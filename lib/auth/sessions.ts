import 'server-only';
import { and, eq, gt, lt } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { sessions, users } from '@/db/schema';
import { SIGNED_IN_HINT_COOKIE, serializeCookie } from '@/lib/http/cookies';
import { randomToken, sha256 } from '@/lib/auth/crypto';
import type { AuthUser } from '@/lib/auth/schemas';

export const SESSION_COOKIE = 'quire_session';
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

/** The Set-Cookie values that start a session in the browser (token null: that end it). */
export function sessionCookies(request: Request, token: string | null): string[] {
  const maxAge = token ? SESSION_TTL_SECONDS : 0;
  return [
    serializeCookie(request, SESSION_COOKIE, token ?? '', maxAge),
    serializeCookie(request, SIGNED_IN_HINT_COOKIE, token ? '1' : '', maxAge, { httpOnly: false }),
  ];
}

/** Adds the session's cookies to a response. */
export function withSessionCookies(response: Response, request: Request, token: string | null): Response {
  for (const cookie of sessionCookies(request, token)) response.headers.append('Set-Cookie', cookie);
  return response;
}

/** Starts a session: the random token goes in the cookie, only its hash in the database. */
export async function createSession(userId: number, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
  const token = randomToken(32);
  const expiresAt = new Date(now + SESSION_TTL_SECONDS * 1000).toISOString();
  await transaction(async (tx) => {
    await tx.delete(sessions).where(lt(sessions.expiresAt, new Date(now).toISOString()));
    await tx.insert(sessions).values({ id: sha256(token), userId, expiresAt });
  });
  return { token, expiresAt };
}

export async function getSessionUser(token: string | undefined, now = Date.now()): Promise<AuthUser | undefined> {
  if (!token || token.length > 200) return undefined;
  const [user] = await getDb()
    .select({ id: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sha256(token)), gt(sessions.expiresAt, new Date(now).toISOString())))
    .limit(1);
  return user;
}

export async function deleteSession(token: string): Promise<void> {
  await transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.id, sha256(token)));
  });
}
