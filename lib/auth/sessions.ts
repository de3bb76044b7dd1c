import 'server-only';
import { and, count, eq, gt, lt, ne, sql } from 'drizzle-orm';
import { type Tx, getDb, transaction } from '@/db';
import { sessions, users } from '@/db/schema';
import { serializeCookie } from '@/lib/http/cookies';
import { SIGNED_IN_HINT_COOKIE } from '@/lib/auth/signed-in-hint';
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
  return transaction((tx) => insertSession(tx, userId, now));
}

/**
 * Starts a session for a sign-in whose password was checked against `passwordHash`, provided that
 * is still the account's password; undefined when it changed meanwhile. The check locks the user's
 * row (an UPDATE that changes nothing), so it and a password change come one after the other: a
 * change that commits first leaves this one nothing to match, and one that commits after ends the
 * session made here along with the others.
 */
export async function startSessionIfPasswordIs(
  userId: number,
  passwordHash: string,
  now = Date.now(),
): Promise<{ token: string; expiresAt: string } | undefined> {
  return transaction(async (tx) => {
    const [current] = await tx
      .update(users)
      .set({ passwordHash: sql`${users.passwordHash}` })
      .where(and(eq(users.id, userId), eq(users.passwordHash, passwordHash)))
      .returning({ id: users.id });
    return current ? insertSession(tx, userId, now) : undefined;
  });
}

/** Inside the caller's transaction: sweeps expired sessions and stores the new one. */
export async function insertSession(tx: Tx, userId: number, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
  const token = randomToken(32);
  const expiresAt = new Date(now + SESSION_TTL_SECONDS * 1000).toISOString();
  await tx.delete(sessions).where(lt(sessions.expiresAt, new Date(now).toISOString()));
  await tx.insert(sessions).values({ id: sha256(token), userId, expiresAt });
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

/** How many live sessions the author has (this one included): browsers and devices signed in. */
export async function countSessions(userId: number, now = Date.now()): Promise<number> {
  const [row] = await getDb()
    .select({ n: count() })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date(now).toISOString())));
  return row!.n;
}

/**
 * Signs the author out everywhere but here: every session of theirs except the one whose token is
 * `keep`. Returns how many live ones ended. API tokens are not sessions and stay.
 */
export async function endOtherSessions(userId: number, keep: string, now = Date.now()): Promise<number> {
  const ended = await transaction((tx) =>
    tx
      .delete(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, sha256(keep))))
      .returning({ expiresAt: sessions.expiresAt }),
  );
  const nowIso = new Date(now).toISOString();
  return ended.filter((session) => session.expiresAt > nowIso).length;
}
