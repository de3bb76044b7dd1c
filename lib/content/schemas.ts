import { z } from 'zod';
import { MAX_ID, POST_STATUSES } from '@/db/enums';
import { requestSchema, responseSchema } from '@/lib/schema/registry';
import { cleanText, dateTime, markdownField, optionalField, pageOf, textField, url } from '@/lib/schema/fields';
import { getEnv } from '@/lib/env';
import { listQuerySchema } from '@/lib/pagination';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '@/lib/slug';

/*
 * Posts, tags, search and preview: what the API accepts and answers, and the types the rest of the
 * code (pages and client components included) takes from them.
 */

/** A post's status as authors and the API see it: scheduled is a published post whose time has not come, derived, never stored. */
export const AUTHOR_STATUSES = [...POST_STATUSES, 'scheduled'] as const;
export type AuthorStatus = (typeof AUTHOR_STATUSES)[number];

/* Requests. */

export const slugSchema = z
  .string({ error: 'slug must be text.' })
  .trim()
  .toLowerCase()
  .max(SLUG_MAX_LENGTH, `slug must be at most ${SLUG_MAX_LENGTH} characters.`)
  .regex(SLUG_PATTERN, 'slug may contain only lowercase letters, digits and single hyphens, e.g. "my-first-post".');

const isoDateTime = z.iso
  .datetime({ offset: true, error: 'publishedAt must be an ISO 8601 date-time such as 2026-11-22T09:30:00Z.' })
  .transform((value) => new Date(value).toISOString());

export const postStatusSchema = z.enum(AUTHOR_STATUSES, {
  error: 'status must be "draft", "published" or "scheduled" (with a future publishedAt).',
});

const tagList = z
  .array(
    z
      .string({ error: 'Each tag must be text.' })
      .transform(cleanText)
      .pipe(z.string().min(1, 'Tags cannot be empty.').max(50, 'Tags are at most 50 characters.')),
    { error: 'tags must be a list of names, e.g. ["sqlite", "performance"].' },
  )
  .max(20, 'A post can have at most 20 tags.');

/**
 * The largest Markdown text of a post, in bytes (POST_MAX_BYTES): the schemas below, the endpoints'
 * request limit (lib/api/endpoints/content.ts) and the editor's counter all read it here.
 */
export const POST_BODY_MAX_BYTES = getEnv().POST_MAX_BYTES;

const postBody = (min?: number) => markdownField('Body', POST_BODY_MAX_BYTES, min);

const commentsEnabled = z.boolean({ error: 'commentsEnabled must be true or false.' });

const SUMMARY_FIELD =
  'Empty or left out: taken from the opening paragraph at every save until one is written (summaryAutomatic). Sent back unchanged, it keeps following the text.';

export const postCreateSchema = requestSchema(
  'PostCreate',
  z.strictObject({
    title: textField('Title', 200),
    slug: optionalField(slugSchema),
    summary: optionalField(textField('Summary', 500, 0)).describe(SUMMARY_FIELD),
    body: postBody(),
    status: postStatusSchema.default('draft'),
    publishedAt: optionalField(isoDateTime),
    tags: tagList.optional(),
    commentsEnabled: commentsEnabled.optional(),
  }),
);

export const postUpdateSchema = requestSchema(
  'PostUpdate',
  z
    .strictObject({
      title: textField('Title', 200),
      slug: slugSchema,
      summary: textField('Summary', 500, 0).describe(SUMMARY_FIELD),
      body: postBody(),
      status: postStatusSchema,
      publishedAt: isoDateTime,
      tags: tagList,
      commentsEnabled,
    })
    .partial()
    .refine((patch) => Object.keys(patch).length > 0, { error: 'Send at least one field to change.' }),
);

export const previewSchema = requestSchema('Preview', z.strictObject({ body: postBody(0) }));

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
  status: z.enum(AUTHOR_STATUSES, { error: 'status must be draft, scheduled or published.' }).optional(),
});

export const slugCheckQuerySchema = z.object({
  slug: slugSchema,
  exceptId: z.coerce
    .number({ error: 'exceptId must be a post id.' })
    .int()
    .positive()
    .max(MAX_ID, 'exceptId must be a post id.')
    .optional(),
});

/* Responses. */

export const tagRefSchema = responseSchema('TagRef', z.object({ slug: z.string(), name: z.string() }));

/** What readers and API clients see of a post in lists. */
export const postSummarySchema = responseSchema(
  'PostSummary',
  z.object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    summary: z.string(),
    publishedAt: dateTime,
    updatedAt: dateTime,
    commentCount: z.number().int(),
    tags: z.array(tagRefSchema),
    url,
  }),
);

export const publishedPostSchema = responseSchema(
  'PublishedPost',
  postSummarySchema.extend({ html: z.string().describe('Sanitised HTML'), commentsEnabled: z.boolean(), wordCount: z.number().int() }),
);

/** The author's view: everything, including drafts and the Markdown source. */
export const authorPostSchema = responseSchema(
  'AuthorPost',
  z.object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    summary: z.string(),
    summaryAutomatic: z
      .boolean()
      .describe("true: the summary follows the text, taken from its opening at every save; false: it is the author's"),
    body: z.string().describe('Markdown source'),
    html: z.string(),
    status: z.enum(AUTHOR_STATUSES),
    publishedAt: dateTime.nullable(),
    commentCount: z.number().int(),
    commentsEnabled: z.boolean(),
    wordCount: z.number().int(),
    createdAt: dateTime,
    updatedAt: dateTime,
    tags: z.array(tagRefSchema),
    url,
  }),
  "The author's view of a post, drafts included",
);

/** A tag with the number of its live posts. */
export const tagSummarySchema = responseSchema('Tag', tagRefSchema.extend({ postCount: z.number().int(), url }));

export const searchResultSchema = responseSchema(
  'SearchResult',
  postSummarySchema
    .pick({ id: true, slug: true, title: true, summary: true, publishedAt: true, url: true })
    .extend({ snippet: z.string().describe('Escaped HTML with matches in <mark>') }),
);

export const postPageSchema = pageOf(postSummarySchema, 'PostPage');
export const authorPostPageSchema = pageOf(authorPostSchema, 'AuthorPostPage');
export const tagListSchema = pageOf(tagSummarySchema, 'TagList');
export const searchPageSchema = pageOf(searchResultSchema, 'SearchResults');
export const slugAvailabilitySchema = responseSchema('SlugAvailability', z.object({ slug: z.string(), available: z.boolean() }));
export const previewResultSchema = responseSchema('PreviewResult', z.object({ html: z.string() }));

export type PostCreateInput = z.output<typeof postCreateSchema>;
export type PostUpdateInput = z.output<typeof postUpdateSchema>;
export type PostListQuery = z.output<typeof postListQuerySchema>;
export type AuthorPostsQuery = z.output<typeof authorPostsQuerySchema>;
export type TagRef = z.output<typeof tagRefSchema>;
export type PostSummary = z.output<typeof postSummarySchema>;
export type PublishedPost = z.output<typeof publishedPostSchema>;
export type AuthorPost = z.output<typeof authorPostSchema>;
export type TagSummary = z.output<typeof tagSummarySchema>;
export type SearchResult = z.output<typeof searchResultSchema>;
export type SlugAvailability = z.output<typeof slugAvailabilitySchema>;
export type PreviewResult = z.output<typeof previewResultSchema>;
