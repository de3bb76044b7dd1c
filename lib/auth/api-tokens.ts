import 'server-only';
import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
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
export async function createApiToken(
  userId: number,
  name: string,
  { expiresInDays, now = Date.now() }: { expiresInDays?: number | null; now?: number } = {},
): Promise<CreatedApiToken> {
  const token = `quire_${randomToken(32)}`;
  const expiresAt = expiresInDays ? new Date(now + expiresInDays * 86_400_000).toISOString() : null;
  const [info] = await transaction((tx) =>
    tx
      .insert(apiTokens)
      .values({ userId, name, tokenHash: sha256(token), prefix: token.slice(0, 12), expiresAt })
      .returning(infoColumns),
  );
  return { ...info!, token };
}

export function listApiTokens(): Promise<ApiToken[]> {
  return getDb().select(infoColumns).from(apiTokens).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

export async function revokeApiToken(id: number): Promise<void> {
  const revoked = await transaction((tx) => tx.delete(apiTokens).where(eq(apiTokens.id, id)).returning({ id: apiTokens.id }));
  if (revoked.length === 0) throw notFound('Token');
}

/** The owner of a token that has not expired, recording the use (at most once a minute, to keep reads from writing). */
export async function findUserByApiToken(token: string, now = Date.now()): Promise<AuthUser | undefined> {
  const hash = sha256(token);
  const stale = new Date(now - 60_000).toISOString();
  const [found] = await getDb()
    .select({ id: users.id, email: users.email, name: users.name, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hash), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, new Date(now).toISOString()))))
    .limit(1);
  if (!found) return undefined;
  const { lastUsedAt, ...user } = found;
  // Only a use not recorded this past minute takes the write lock; the condition is checked again in the write.
  if (lastUsedAt === null || lastUsedAt < stale) {
    await transaction(async (tx) => {
      await tx
        .update(apiTokens)
        .set({ lastUsedAt: new Date(now).toISOString() })
        .where(and(eq(apiTokens.tokenHash, hash), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, stale))));
    });
  }
  return user;
}
