import { z } from 'zod';
import { listQuerySchema } from '@/lib/pagination';
import { PASSWORD_MIN_LENGTH } from '@/lib/auth/password';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '@/lib/slug';

/*
 * One zod schema per payload, shared by the route handlers and the tests.
 * Text is normalised before it is checked: control characters (NUL included) are removed,
 * line endings unified and surrounding whitespace trimmed, so whitespace-only is empty.
 */

const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const clean = (value: string) => value.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '').trim();

const text = (label: string, max: number, min = 1) =>
  z
    .string({ error: `${label} must be text.` })
    .transform(clean)
    .pipe(
      z
        .string()
        .min(min, min === 1 ? `${label} is required.` : `${label} must be at least ${min} characters.`)
        .max(max, `${label} must be at most ${max.toLocaleString('en')} characters.`),
    );

/** Empty optional form fields arrive as "" and mean "not given". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());

export const slugSchema = z
  .string({ error: 'slug must be text.' })
  .trim()
  .toLowerCase()
  .max(SLUG_MAX_LENGTH, `slug must be at most ${SLUG_MAX_LENGTH} characters.`)
  .regex(SLUG_PATTERN, 'slug may contain only lowercase letters, digits and single hyphens, e.g. "my-first-post".');

const isoDateTime = z.iso
  .datetime({ offset: true, error: 'publishedAt must be an ISO 8601 date-time such as 2026-11-22T09:30:00Z.' })
  .transform((value) => new Date(value).toISOString());

export const postStatusSchema = z.enum(['draft', 'published', 'scheduled'], {
  error: 'status must be "draft", "published" or "scheduled" (with a future publishedAt).',
});

const tagList = z
  .array(
    z
      .string({ error: 'Each tag must be text.' })
      .transform(clean)
      .pipe(z.string().min(1, 'Tags cannot be empty.').max(50, 'Tags are at most 50 characters.')),
    { error: 'tags must be a list of names, e.g. ["sqlite", "performance"].' },
  )
  .max(20, 'A post can have at most 20 tags.');

const commentsEnabled = z.boolean({ error: 'commentsEnabled must be true or false.' });

export const postCreateSchema = z.strictObject({
  title: text('Title', 200),
  slug: optional(slugSchema),
  summary: optional(text('Summary', 500, 0)),
  body: text('Body', 60_000),
  status: postStatusSchema.default('draft'),
  publishedAt: optional(isoDateTime),
  tags: tagList.optional(),
  commentsEnabled: commentsEnabled.optional(),
});

export const postUpdateSchema = z
  .strictObject({
    title: text('Title', 200),
    slug: slugSchema,
    summary: text('Summary', 500, 0),
    body: text('Body', 60_000),
    status: postStatusSchema,
    publishedAt: isoDateTime,
    tags: tagList,
    commentsEnabled,
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { error: 'Send at least one field to change.' });

export const commentCreateSchema = z.strictObject({
  /** The honeypot: hidden from people, so anything in it came from a bot. Any value is accepted. */
  website: z.unknown().optional(),
  /** When the form was rendered, signed (see lib/comments/moderation.ts). */
  formToken: z.unknown().optional(),
  authorName: text('Name', 80),
  body: text('Comment', 5_000),
  authorEmail: optional(
    z
      .string()
      .trim()
      .max(254, 'Email must be at most 254 characters.')
      .pipe(z.email('Enter an email address such as ada@example.com, or leave it empty.')),
  ),
  parentId: optional(
    z.coerce
      .number({ error: 'parentId must be the id of a comment on this post.' })
      .int('parentId must be the id of a comment on this post.')
      .positive('parentId must be the id of a comment on this post.'),
  ),
});

export const commentUpdateSchema = z
  .strictObject({
    status: z.enum(['pending', 'approved', 'spam'], { error: 'status must be "pending", "approved" or "spam".' }),
    body: text('Comment', 5_000),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { error: 'Send status or body.' });

export const bulkModerationSchema = z.strictObject({
  action: z.enum(['approve', 'pending', 'spam', 'delete'], { error: 'action must be approve, pending, spam or delete.' }),
  ids: z
    .array(z.number({ error: 'ids must be comment ids.' }).int().positive(), { error: 'ids must be a list of comment ids.' })
    .min(1, 'Select at least one comment.')
    .max(100, 'At most 100 comments at a time.'),
});

const email = z
  .string({ error: 'Email must be text.' })
  .trim()
  .max(254, 'Email must be at most 254 characters.')
  .pipe(z.email('Enter an email address such as ada@example.com.'));

export const signInSchema = z.strictObject({
  email: z.string({ error: 'Email is required.' }).trim().min(1, 'Email is required.').max(254),
  password: z.string({ error: 'Password is required.' }).min(1, 'Password is required.').max(1024),
  next: z.string().optional(),
});

export const setupSchema = z.strictObject({
  setupToken: z.string({ error: 'Setup token is required.' }).trim().min(1, 'Setup token is required.').max(200),
  name: text('Name', 80),
  email,
  password: z
    .string({ error: 'Password is required.' })
    .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(1024, 'Password must be at most 1,024 characters.'),
});

/** Longest an API token can be set to live: ten years. */
export const API_TOKEN_MAX_DAYS = 3650;

export const apiTokenCreateSchema = z.strictObject({
  name: text('Name', 80),
  /** Days until the token stops working; absent or null for a token that does not expire. */
  expiresInDays: z.preprocess(
    (value) => (value === '' ? null : value),
    z.coerce
      .number({ error: 'expiresInDays must be a number of days.' })
      .int('expiresInDays must be a whole number of days.')
      .min(1, 'expiresInDays must be at least 1.')
      .max(API_TOKEN_MAX_DAYS, `expiresInDays must be at most ${API_TOKEN_MAX_DAYS}.`)
      .nullish(),
  ),
});
export const previewSchema = z.strictObject({ body: text('Body', 60_000, 0) });

/* Query strings. */

export const postListQuerySchema = listQuerySchema.extend({
  tag: z.string().max(100, 'tag must be at most 100 characters.').optional(),
});

export const searchQuerySchema = listQuerySchema.extend({
  q: z.string({ error: 'q is required: the words to search for.' }).max(200, 'q must be at most 200 characters.'),
});

export const authorPostsQuerySchema = listQuerySchema.extend({
  q: z.string().max(200, 'q must be at most 200 characters.').optional(),
  /** Scheduled means published with a time still to come, as in each post's `status`. */
  status: z.enum(['draft', 'scheduled', 'published'], { error: 'status must be draft, scheduled or published.' }).optional(),
});

export const moderationQuerySchema = listQuerySchema.extend({
  status: z.enum(['pending', 'approved', 'spam'], { error: 'status must be pending, approved or spam.' }).default('pending'),
  post: z.string().max(SLUG_MAX_LENGTH, `post must be a post's slug.`).optional(),
  q: z.string().max(200, 'q must be at most 200 characters.').optional(),
});

export const slugCheckQuerySchema = z.object({
  slug: slugSchema,
  exceptId: z.coerce.number({ error: 'exceptId must be a post id.' }).int().positive().optional(),
});

export type PostCreateInput = z.output<typeof postCreateSchema>;
export type PostUpdateInput = z.output<typeof postUpdateSchema>;
export type CommentCreateInput = z.output<typeof commentCreateSchema>;
export type CommentUpdateInput = z.output<typeof commentUpdateSchema>;
