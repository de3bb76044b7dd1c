import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getDb } from '@/db';
import { settings } from '@/db/schema';
import { eq } from 'drizzle-orm';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Constant-time string comparison; hashing first makes it independent of the lengths too. */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

let secret: string | undefined;

/** The server's signing key: generated on first use, kept in the database, never sent anywhere. */
function getSecret(): string {
  if (secret) return secret;
  const db = getDb();
  db.insert(settings)
    .values({ key: 'signing_secret', value: randomToken(32) })
    .onConflictDoNothing()
    .run();
  secret = db.select({ value: settings.value }).from(settings).where(eq(settings.key, 'signing_secret')).get()!.value;
  return secret;
}

export function sign(value: string): string {
  return `${value}.${createHmac('sha256', getSecret()).update(value).digest('base64url')}`;
}

/** The value if the signature is ours, otherwise undefined. */
export function unsign(signed: string): string | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  return safeEqual(signed, sign(value)) ? value : undefined;
}
