import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readSetting, storeSetting } from '@/lib/settings-store';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** Constant-time string comparison; hashing first makes it independent of the lengths too. */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

const SECRET_KEY = 'signing_secret';

/**
 * The server's signing key: generated on first use, kept in the database, never sent anywhere.
 * Signing happens outside transactions: a key made in one that then rolled back would be this
 * process's alone.
 */
async function loadSecret(): Promise<string> {
  const stored = await readSetting(SECRET_KEY);
  if (stored) return stored;
  // Another process may be making one at the same moment: the first one stored is everyone's.
  await storeSetting(SECRET_KEY, randomToken(32), { ifMissing: true });
  return (await readSetting(SECRET_KEY))!;
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
