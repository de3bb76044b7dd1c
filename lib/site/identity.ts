import { asc } from 'drizzle-orm';
import { getDb } from '@/db';
import { users } from '@/db/schema';
import { accentPalette } from '@/lib/site/colors';
import { getEnv } from '@/lib/env';
import { getAssetInfos } from '@/lib/site/assets';
import { readStoredSetting, writeStoredSetting } from '@/lib/comments/settings';
import { type IdentityPatch, type NavLink, type SiteIdentity, type StoredIdentity, identityFields } from '@/lib/site/schemas';

/** Every zone this server's Intl knows, for validation and the settings page's list. */
export const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

/** The zone the server runs in (TZ, or the system's): the site's zone until the author picks one. */
export const serverTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// Until the route definitions import it from lib/site/schemas.ts.

export const DEFAULT_NAVIGATION: NavLink[] = [
  { label: 'Posts', href: '/' },
  { label: 'Tags', href: '/tags' },
];

const KEY = 'identity';

function readStored(): StoredIdentity {
  return readStoredSetting(KEY, (stored) => {
    // Field by field, so one broken value loses only itself.
    const result: Record<string, unknown> = {};
    if (stored && typeof stored === 'object') {
      for (const [key, schema] of Object.entries(identityFields)) {
        const parsed = schema.safeParse((stored as Record<string, unknown>)[key]);
        if (parsed.success && parsed.data !== undefined) result[key] = parsed.data;
      }
    }
    return result;
  });
}

/** The first account's name: the person who set the blog up. */
function firstAuthorName(): string | undefined {
  return getDb().select({ name: users.name }).from(users).orderBy(asc(users.id)).limit(1).get()?.name;
}

/** The zone the site shows times in, without the rest of the identity (no image lookups). */
export function siteTimeZone(): string {
  return readStored().timeZone ?? getEnv().SITE_TIME_ZONE ?? serverTimeZone();
}

/** The blog's name, description, byline, time zone, look and images: stored choices over defaults. */
export function getSiteIdentity(): SiteIdentity {
  const env = getEnv();
  const stored = readStored();
  const name = stored.name ?? env.SITE_NAME;
  return {
    name,
    description: stored.description ?? env.SITE_DESCRIPTION,
    authorName: stored.authorName ?? env.SITE_AUTHOR ?? firstAuthorName() ?? name,
    authorBio: stored.authorBio ?? '',
    timeZone: siteTimeZone(),
    accentColor: stored.accentColor ?? null,
    navigation: stored.navigation ?? DEFAULT_NAVIGATION,
    ...getAssetInfos(),
    customised: Object.keys(stored),
  };
}

export function updateSiteIdentity(patch: IdentityPatch): SiteIdentity {
  const next: Record<string, unknown> = { ...readStored() };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  writeStoredSetting(KEY, next);
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
