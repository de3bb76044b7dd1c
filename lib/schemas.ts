import { z } from 'zod';
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

const slug = z
  .string({ error: 'slug must be text.' })
  .trim()
  .toLowerCase()
  .max(SLUG_MAX_LENGTH, `slug must be at most ${SLUG_MAX_LENGTH} characters.`)
  .regex(SLUG_PATTERN, 'slug may contain only lowercase letters, digits and single hyphens, e.g. "my-first-post".');

const isoDateTime = z.iso
  .datetime({ offset: true, error: 'publishedAt must be an ISO 8601 date-time such as 2026-11-22T09:30:00Z.' })
  .transform((value) => new Date(value).toISOString());

export const postStatusSchema = z.enum(['draft', 'published'], { error: 'status must be "draft" or "published".' });

export const postCreateSchema = z.strictObject({
  title: text('Title', 200),
  slug: optional(slug),
  summary: optional(text('Summary', 500, 0)),
  body: text('Body', 60_000),
  status: postStatusSchema.default('draft'),
  publishedAt: optional(isoDateTime),
});

export const postUpdateSchema = z
  .strictObject({
    title: text('Title', 200),
    slug,
    summary: text('Summary', 500, 0),
    body: text('Body', 60_000),
    status: postStatusSchema,
    publishedAt: isoDateTime,
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { error: 'Send at least one field to change.' });

export const commentCreateSchema = z.strictObject({
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

export type PostCreateInput = z.output<typeof postCreateSchema>;
export type PostUpdateInput = z.output<typeof postUpdateSchema>;
export type CommentCreateInput = z.output<typeof commentCreateSchema>;
