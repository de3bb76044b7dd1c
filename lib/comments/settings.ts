import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/db';
import { settings } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';

export const MODERATION_POLICIES = ['immediate', 'hold_all', 'hold_first_time'] as const;

const int = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number.` })
    .int(`${label} must be a whole number.`)
    .min(min, `${label} must be at least ${min}.`)
    .max(max, `${label} must be at most ${max}.`);

/** The fields of the site-wide comment settings, without defaults, so a partial update changes only what it names. */
const settingsFields = {
  /** immediate: publish; hold_all: every comment waits for approval; hold_first_time: until an email has one approved comment. */
  moderation: z.enum(MODERATION_POLICIES, { error: 'Choose immediate, hold_all or hold_first_time.' }),
  commentsEnabled: z.boolean({ error: 'commentsEnabled must be true or false.' }),
  /** Words or phrases that send a comment to the queue (case-insensitive, matched anywhere in name, email or text). */
  blocklist: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .min(1, 'Blocklist entries cannot be empty.')
        .max(100, 'Blocklist entries are at most 100 characters.'),
    )
    .max(1000, 'The blocklist holds at most 1,000 entries.'),
  /** More links than this sends a comment to the queue. */
  maxLinks: int('maxLinks', 0, 100),
  /** Comment posts allowed per address per window, answered with 429 beyond it. */
  commentRateLimit: z.strictObject({
    max: int('commentRateLimit.max', 1, 10_000),
    windowSeconds: int('commentRateLimit.windowSeconds', 1, 86_400),
  }),
  /** A form submitted sooner than this after it was rendered is treated as a bot's. */
  minSubmitSeconds: int('minSubmitSeconds', 0, 600),
  /** How deep replies nest; a reply to a comment at the deepest level joins that comment's parent. */
  maxReplyDepth: int('maxReplyDepth', 1, 10),
  /** How long a reader may edit or delete their own comment. */
  editWindowMinutes: int('editWindowMinutes', 0, 1440),
};

type SettingsShape = { [K in keyof typeof settingsFields]: z.output<(typeof settingsFields)[K]> };

export const DEFAULT_SETTINGS: SettingsShape = {
  moderation: 'immediate',
  commentsEnabled: true,
  blocklist: [],
  maxLinks: 2,
  commentRateLimit: { max: 6, windowSeconds: 60 },
  minSubmitSeconds: 3,
  maxReplyDepth: 3,
  editWindowMinutes: 15,
};

/** Site-wide comment settings, edited in the admin area. Every field has a default, so a new blog needs none. */
export const siteSettingsSchema = z.strictObject({
  moderation: settingsFields.moderation.default(DEFAULT_SETTINGS.moderation),
  commentsEnabled: settingsFields.commentsEnabled.default(DEFAULT_SETTINGS.commentsEnabled),
  blocklist: settingsFields.blocklist.default(DEFAULT_SETTINGS.blocklist),
  maxLinks: settingsFields.maxLinks.default(DEFAULT_SETTINGS.maxLinks),
  commentRateLimit: settingsFields.commentRateLimit.default(DEFAULT_SETTINGS.commentRateLimit),
  minSubmitSeconds: settingsFields.minSubmitSeconds.default(DEFAULT_SETTINGS.minSubmitSeconds),
  maxReplyDepth: settingsFields.maxReplyDepth.default(DEFAULT_SETTINGS.maxReplyDepth),
  editWindowMinutes: settingsFields.editWindowMinutes.default(DEFAULT_SETTINGS.editWindowMinutes),
});

export type SiteSettings = z.output<typeof siteSettingsSchema>;
export const settingsUpdateSchema = z.strictObject(settingsFields).partial();
export type SettingsUpdate = z.output<typeof settingsUpdateSchema>;

const KEY = 'site';

/**
 * The last stored text of each settings row and what it parsed to. The row is read on every call,
 * so a change made by another process counts at once, but the parsing is done only when the stored
 * text changes: a comment post reads the settings several times.
 */
const lastParsed = new Map<string, { raw: string | undefined; value: unknown }>();

/** A settings row parsed with `parse`, which gets `{}` for a missing or hand-broken value. */
export function readStoredSetting<T>(key: string, parse: (stored: unknown) => T): T {
  const raw = getDb().select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value;
  let last = lastParsed.get(key);
  if (!last || last.raw !== raw) {
    let stored: unknown = {};
    try {
      stored = raw ? JSON.parse(raw) : {};
    } catch {
      // A hand-edited, broken value falls back to the defaults rather than taking the blog down.
    }
    last = { raw, value: parse(stored) };
    lastParsed.set(key, last);
  }
  // A copy, so a caller that changes its object cannot change what the next caller reads.
  return structuredClone(last.value as T);
}

/** Stores a settings row and expires every page: settings decide what each one shows. */
export function writeStoredSetting(key: string, value: unknown): void {
  const text = JSON.stringify(value);
  const now = new Date().toISOString();
  getDb()
    .insert(settings)
    .values({ key, value: text, updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: text, updatedAt: now } })
    .run();
  expire(cacheTags.content);
}

export function getSettings(): SiteSettings {
  return readStoredSetting(KEY, (stored) => {
    const parsed = siteSettingsSchema.safeParse(stored);
    return parsed.success ? parsed.data : siteSettingsSchema.parse({});
  });
}

export function updateSettings(patch: SettingsUpdate): SiteSettings {
  const next = siteSettingsSchema.parse({ ...getSettings(), ...patch });
  writeStoredSetting(KEY, next);
  return next;
}
