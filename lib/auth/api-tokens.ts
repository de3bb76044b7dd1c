import 'server-only';
import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import { getDb } from '@/db';
import { apiTokens, users } from '@/db/schema';
import { randomToken, sha256 } from '@/lib/auth/crypto';
import { notFound } from '@/lib/errors';
import type { ApiToken, AuthUser, CreatedApiToken } from '@/lib/auth/schemas';

const infoColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  expiresAt: apiTokens.expiresAt,
};

/**
 * Creates a token for scripts, valid for `expiresInDays` or until revoked; the plain token is
 * returned this once and only its hash is kept.
 */
export function createApiToken(
  userId: number,
  name: string,
  { expiresInDays, now = Date.now() }: { expiresInDays?: number | null; now?: number } = {},
): CreatedApiToken {
  const token = `quire_${randomToken(32)}`;
  const expiresAt = expiresInDays ? new Date(now + expiresInDays * 86_400_000).toISOString() : null;
  const info = getDb()
    .insert(apiTokens)
    .values({ userId, name, tokenHash: sha256(token), prefix: token.slice(0, 12), expiresAt })
    .returning(infoColumns)
    .get();
  return { ...info, token };
}

export function listApiTokens(): ApiToken[] {
  return getDb().select(infoColumns).from(apiTokens).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id)).all();
}

export function revokeApiToken(id: number): void {
  if (getDb().delete(apiTokens).where(eq(apiTokens.id, id)).run().changes === 0) throw notFound('Token');
}

/** The owner of a token that has not expired, recording the use (at most once a minute, to keep reads from writing). */
export function findUserByApiToken(token: string, now = Date.now()): AuthUser | undefined {
  const hash = sha256(token);
  const db = getDb();
  const user = db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hash), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date(now).toISOString()))))
    .get();
  if (user) {
    const stamp = new Date(now).toISOString();
    db.update(apiTokens)
      .set({ lastUsedAt: stamp })
      .where(
        and(
          eq(apiTokens.tokenHash, hash),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now - 60_000).toISOString())),
        ),
      )
      .run();
  }
  return user;
}
