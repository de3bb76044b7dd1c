import { asc } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/db';
import { users } from '@/db/schema';
import { accentContrast, accentPalette, MIN_CONTRAST } from '@/lib/site/colors';
import { getEnv } from '@/lib/env';
import { canonicalTimeZone } from '@/lib/site/format';
import { localPath } from '@/lib/http';
import { getAssetInfos, type SiteAssetInfo } from '@/lib/site/assets';
import { readStoredSetting, writeStoredSetting } from '@/lib/comments/settings';

/** Every zone this server's Intl knows, for validation and the settings page's list. */
export const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

/** The zone the server runs in (TZ, or the system's): the site's zone until the author picks one. */
export const serverTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const text = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text.` })
    .trim()
    .max(max, `${label} is at most ${max} characters.`);

/** A navigation target: a path on this site, or an http(s) address elsewhere. */
const href = z
  .string({ error: 'A link must be text.' })
  .trim()
  .min(1, 'A link needs an address.')
  .max(500, 'A link is at most 500 characters.')
  .refine(
    (value) => (value.startsWith('/') ? localPath(value, '') !== '' : URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
    {
      message: 'Use a path on this site (such as /tags) or a full http(s) address.',
    },
  );

export const navLinkSchema = z.strictObject({
  label: text('A link’s label', 40).min(1, 'A link needs a label.'),
  href,
});
export type NavLink = z.output<typeof navLinkSchema>;

const identityFields = {
  name: text('The site name', 100).min(1, 'The site needs a name.'),
  description: text('The description', 300),
  authorName: text('The author’s name', 100).min(1, 'The author needs a name.'),
  authorBio: text('The bio', 600),
  timeZone: z.string({ error: 'Choose a time zone.' }).transform((zone, context) => {
    const canonical = canonicalTimeZone(zone.trim());
    if (!canonical) context.addIssue({ code: 'custom', message: 'Choose a time zone from the list (for example Europe/Berlin).' });
    return canonical ?? z.NEVER;
  }),
  accentColor: z
    .string({ error: 'The accent colour must be text.' })
    .regex(/^#[0-9a-fA-F]{6}$/, 'Give the accent colour as #rrggbb.')
    .transform((value) => value.toLowerCase())
    .refine((value) => accentContrast(value) >= MIN_CONTRAST, {
      message: `This colour is too light to read on the page. Pick a darker one (text needs a contrast of at least ${MIN_CONTRAST}:1).`,
    }),
  navigation: z.array(navLinkSchema).max(8, 'The navigation holds at most 8 links.'),
};

/**
 * What an author has set on the Site settings page. Each field is stored only once the author
 * sets it; until then (and after it is reset) its environment variable or built-in default applies.
 */
type StoredIdentity = Partial<{ [K in keyof typeof identityFields]: z.output<(typeof identityFields)[K]> }>;

/** The PATCH body: each field a new value, or `null` to put it back to its default. */
export const identityPatchSchema = z.strictObject({
  name: identityFields.name.nullable().optional(),
  description: identityFields.description.nullable().optional(),
  authorName: identityFields.authorName.nullable().optional(),
  authorBio: identityFields.authorBio.nullable().optional(),
  timeZone: identityFields.timeZone.nullable().optional(),
  accentColor: identityFields.accentColor.nullable().optional(),
  navigation: identityFields.navigation.nullable().optional(),
});
export type IdentityPatch = z.output<typeof identityPatchSchema>;

export const DEFAULT_NAVIGATION: NavLink[] = [
  { label: 'Posts', href: '/' },
  { label: 'Tags', href: '/tags' },
];

export interface SiteIdentity {
  name: string;
  description: string;
  authorName: string;
  authorBio: string;
  timeZone: string;
  /** null: the theme's own accent. */
  accentColor: string | null;
  navigation: NavLink[];
  logo: SiteAssetInfo | null;
  /** The uploaded icon at 180 px (home screens) and 32 px (browser tabs). */
  icon: SiteAssetInfo | null;
  favicon: SiteAssetInfo | null;
  /** Which fields the author has set (the rest follow their defaults). */
  customised: (keyof StoredIdentity)[];
}

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
    customised: Object.keys(stored) as (keyof StoredIdentity)[],
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
