import { randomToken, sha256, sign, unsign } from '@/lib/auth/crypto';

/*
 * The reader's signed cookies: who they are across comments, and which of their comments they may
 * still edit or delete.
 */

/* Who a reader is, across comments: a random id in a signed cookie, set when they first comment. */

export const COMMENTER_COOKIE = 'quire_commenter';
export const COMMENTER_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

/** The reader's commenter id if their cookie carries one we signed. */
export async function readCommenterId(cookie: string | undefined): Promise<string | undefined> {
  const value = cookie ? await unsign(cookie) : undefined;
  return value && /^c[A-Za-z0-9_-]{22,64}$/.test(value) ? value : undefined;
}

/** A new commenter id and the signed cookie value that carries it. */
export async function issueCommenterId(): Promise<{ id: string; cookie: string }> {
  const id = `c${randomToken(18)}`;
  return { id, cookie: await sign(id) };
}

/** What the database keeps of a commenter id: its hash, so a copy of the database names no cookie. */
export const commenterKey = (id: string) => sha256(id);

/* Readers may edit or delete their own comment for a while; a signed cookie lists which ones. */

export const EDIT_COOKIE = 'quire_comments';
const MAX_GRANTS = 20;

type Grant = [id: number, expiresAt: number];

async function readGrants(cookie: string | undefined, now: number): Promise<Grant[]> {
  const value = cookie ? await unsign(cookie) : undefined;
  if (!value) return [];
  try {
    const grants = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(grants)) return [];
    return grants.filter((g): g is Grant => Array.isArray(g) && Number.isInteger(g[0]) && typeof g[1] === 'number' && g[1] > now);
  } catch {
    return [];
  }
}

/** The cookie value after granting edits of comment `id` until `expiresAt`. */
export async function grantEdit(cookie: string | undefined, id: number, expiresAt: number, now = Date.now()): Promise<string> {
  const grants = [...(await readGrants(cookie, now)).filter(([grantId]) => grantId !== id), [id, expiresAt] as Grant].slice(-MAX_GRANTS);
  return sign(Buffer.from(JSON.stringify(grants)).toString('base64url'));
}

export async function editableIds(cookie: string | undefined, now = Date.now()): Promise<number[]> {
  return (await readGrants(cookie, now)).map(([id]) => id);
}
