import { z } from 'zod';
import { requestSchema, responseSchema } from '@/lib/schema/registry';
import { localPath } from '@/lib/http/local-path';
import { accentContrast, MIN_CONTRAST } from '@/lib/site/colors';
import { canonicalTimeZone } from '@/lib/time-zone';

/*
 * The site's identity (name, byline, time zone, look, navigation) and its images: what the API
 * accepts and answers, and the types the rest of the code (client components included) takes from them.
 */

/* Requests. */

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

/** Each field the author can set; a stored value is read back field by field with these (see lib/site/identity.ts). */
export const identityFields = {
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

/** The PATCH body: each field a new value, or `null` to put it back to its default. */
export const identityPatchSchema = requestSchema(
  'SiteIdentityUpdate',
  z.strictObject({
    name: identityFields.name.nullable().optional(),
    description: identityFields.description.nullable().optional(),
    authorName: identityFields.authorName.nullable().optional(),
    authorBio: identityFields.authorBio.nullable().optional(),
    timeZone: identityFields.timeZone.nullable().optional(),
    accentColor: identityFields.accentColor.nullable().optional(),
    navigation: identityFields.navigation.nullable().optional(),
  }),
);

/* Responses. */

/** An uploaded image as the site serves it. */
export const siteImageSchema = responseSchema(
  'SiteImage',
  z.object({
    url: z.string().describe('A path on this site; it names the image’s bytes, so it may be cached for ever'),
    width: z.number().int(),
    height: z.number().int(),
    contentType: z.literal('image/png'),
  }),
);

export const siteIdentitySchema = responseSchema(
  'SiteIdentity',
  z.object({
    name: z.string(),
    description: z.string(),
    authorName: z.string().describe('The byline on posts and in feeds'),
    authorBio: z.string(),
    timeZone: z.string().describe('IANA zone that dates are shown in'),
    accentColor: z.string().nullable().describe('#rrggbb, or null for the theme’s own'),
    navigation: z.array(z.object({ label: z.string(), href: z.string() })),
    logo: siteImageSchema.nullable(),
    icon: siteImageSchema.nullable().describe('180 × 180 px, for home screens'),
    favicon: siteImageSchema.nullable().describe('32 × 32 px, for browser tabs'),
    customised: z.array(z.string()).describe('The fields set in Site settings; the others follow their defaults'),
  }),
);

export type NavLink = z.output<typeof navLinkSchema>;
export type IdentityPatch = z.output<typeof identityPatchSchema>;
/** What an author has set on the Site settings page; the fields not set follow their defaults. */
export type StoredIdentity = Partial<{ [K in keyof typeof identityFields]: z.output<(typeof identityFields)[K]> }>;
export type SiteImage = z.output<typeof siteImageSchema>;
export type SiteIdentity = z.output<typeof siteIdentitySchema>;
