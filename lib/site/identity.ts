import { asc } from 'drizzle-orm';
import { cache } from 'react';
import { preparedQuery } from '@/db';
import { users } from '@/db/schema';
import { accentPalette } from '@/lib/site/colors';
import { getEnv } from '@/lib/env';
import { getAssetInfos } from '@/lib/site/assets';
import { changeStoredSetting, readStoredSetting } from '@/lib/settings-store';
import { type IdentityPatch, type NavLink, type SiteIdentity, type StoredIdentity, identityFields } from '@/lib/site/schemas';

/** Every zone this server's Intl knows, for validation and the settings page's list. */
export const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

let processTimeZone: string | undefined;

/**
 * The zone the server runs in (TZ, or the system's): the site's zone until the author picks one.
 * Asked once: making a DateTimeFormat to ask costs about 0.1 ms, and every page asks.
 */
export const serverTimeZone = () => (processTimeZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');

// Until the route definitions import it from lib/site/schemas.ts.

export const DEFAULT_NAVIGATION: NavLink[] = [
  { label: 'Posts', href: '/' },
  { label: 'Tags', href: '/tags' },
];

const KEY = 'identity';

/** The stored choices, field by field, so one broken value loses only itself. */
function parseStored(stored: unknown): StoredIdentity {
  const result: Record<string, unknown> = {};
  if (stored && typeof stored === 'object') {
    for (const [key, schema] of Object.entries(identityFields)) {
      const parsed = schema.safeParse((stored as Record<string, unknown>)[key]);
      if (parsed.success && parsed.data !== undefined) result[key] = parsed.data;
    }
  }
  return result;
}

const readStored = () => readStoredSetting(KEY, parseStored);

const firstAccount = preparedQuery((db) => db.select({ name: users.name }).from(users).orderBy(asc(users.id)).limit(1));

/** The first account's name: the person who set the blog up. */
async function firstAuthorName(): Promise<string | undefined> {
  const [first] = await firstAccount({});
  return first?.name;
}

const timeZoneOf = (stored: StoredIdentity) => stored.timeZone ?? getEnv().SITE_TIME_ZONE ?? serverTimeZone();

/** The zone the site shows times in, without the rest of the identity (no image lookups). */
export async function siteTimeZone(): Promise<string> {
  return timeZoneOf(await readStored());
}

/**
 * The blog's name, description, byline, time zone, look and images: stored choices over defaults.
 * Read once per page render (React's cache), however many of its parts show the site's name.
 */
export const getSiteIdentity = cache(async (): Promise<SiteIdentity> => {
  const env = getEnv();
  const [stored, assets] = await Promise.all([readStored(), getAssetInfos()]);
  const name = stored.name ?? env.SITE_NAME;
  return {
    name,
    description: stored.description ?? env.SITE_DESCRIPTION,
    authorName: stored.authorName ?? env.SITE_AUTHOR ?? (await firstAuthorName()) ?? name,
    authorBio: stored.authorBio ?? '',
    timeZone: timeZoneOf(stored),
    accentColor: stored.accentColor ?? null,
    navigation: stored.navigation ?? DEFAULT_NAVIGATION,
    ...assets,
    customised: Object.keys(stored),
  };
});

export async function updateSiteIdentity(patch: IdentityPatch): Promise<SiteIdentity> {
  await changeStoredSetting(KEY, parseStored, (stored) => {
    const next: Record<string, unknown> = { ...stored };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    return next;
  });
  return getSiteIdentity();
}

/** The accent's CSS for both colour schemes, or nothing for the theme's own. */
export function accentCss(accentColor: string | null): string | null {
  if (!accentColor) return null;
  const { light, dark } = accentPalette(accentColor);
  return (
    `:root{--accent:${light.accent};--accent-fg:${light.accentFg}}` +
    `@media (prefers-color-scheme: dark){:root{--accent:${dark.accent};--accent-fg:${dark.accentFg}}}`
  );
}
