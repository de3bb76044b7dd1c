import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { settings } from '@/db/schema';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Constant-time string comparison; hashing first makes it independent of the lengths too. */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

const SECRET_KEY = 'signing_secret';

async function readSecret(): Promise<string | undefined> {
  const [row] = await getDb().select({ value: settings.value }).from(settings).where(eq(settings.key, SECRET_KEY)).limit(1);
  return row?.value;
}

/**
 * The server's signing key: generated on first use, kept in the database, never sent anywhere.
 * Signing happens outside transactions: a key made in one that then rolled back would be this
 * process's alone.
 */
async function loadSecret(): Promise<string> {
  const stored = await readSecret();
  if (stored) return stored;
  return transaction(async (tx) => {
    // Another process may be making one at the same moment: the first one stored is everyone's.
    await tx
      .insert(settings)
      .values({ key: SECRET_KEY, value: randomToken(32) })
      .onConflictDoNothing();
    return (await readSecret())!;
  });
}

let secret: Promise<string> | undefined;

function getSecret(): Promise<string> {
  // Read once per process; a failed read is tried again by the next caller.
  secret ??= loadSecret().catch((error: unknown) => {
    secret = undefined;
    throw error;
  });
  return secret;
}

export async function sign(value: string): Promise<string> {
  return `${value}.${createHmac('sha256', await getSecret())
    .update(value)
    .digest('base64url')}`;
}

/** The value if the signature is ours, otherwise undefined. */
export async function unsign(signed: string): Promise<string | undefined> {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  return safeEqual(signed, await sign(value)) ? value : undefined;
}
