import { z } from 'zod';
import { siteSettingsSchema } from '@/lib/comments/settings';

/*
 * The shapes the API answers with, for the OpenAPI document. They are not used to build
 * responses; the contract test validates real responses against them, so they cannot drift.
 */

/** Named response schemas: each becomes a reusable entry under components.schemas. */
export const responseRegistry = z.registry<{ id: string; description?: string }>();

function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  responseRegistry.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

const dateTime = z.iso.datetime().describe('UTC ISO 8601 date-time');
const url = z.url();

export const problemSchema = named(
  'Problem',
  z.object({
    type: z.string().describe('A URI naming the kind of problem, e.g. /problems/validation'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Each invalid field and why'),
  }),
  'RFC 9457 problem details',
);

const page = <T extends z.ZodType>(item: T, id: string) =>
  named(
    id,
    z.object({ data: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last') }),
  );

export const tagRefSchema = named('TagRef', z.object({ slug: z.string(), name: z.string() }));
export const postSummarySchema = named(
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
export const publishedPostSchema = named(
  'PublishedPost',
  postSummarySchema.extend({ html: z.string().describe('Sanitised HTML'), commentsEnabled: z.boolean(), wordCount: z.number().int() }),
);
export const authorPostSchema = named(
  'AuthorPost',
  z.object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    summary: z.string(),
    body: z.string().describe('Markdown source'),
    html: z.string(),
    status: z.enum(['draft', 'scheduled', 'published']),
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
export const publicCommentSchema = named(
  'Comment',
  z.object({
    id: z.number().int(),
    parentId: z.number().int().nullable(),
    authorName: z.string(),
    byAuthor: z.boolean().describe('Written by the blog’s author'),
    html: z.string(),
    createdAt: dateTime,
  }),
);
export const createdCommentSchema = named(
  'CreatedComment',
  publicCommentSchema.extend({ status: z.enum(['approved', 'pending']).describe('pending: waits for moderation') }),
);
export const adminCommentSchema = named(
  'AdminComment',
  publicCommentSchema.extend({
    postId: z.number().int(),
    postSlug: z.string(),
    postTitle: z.string(),
    authorEmail: z.string().nullable(),
    body: z.string(),
    status: z.enum(['pending', 'approved', 'spam']),
    updatedAt: dateTime.nullable(),
    editedAt: dateTime.nullable().describe('When the text last changed after posting; null if never'),
  }),
);
export const moderationCommentSchema = named(
  'ModerationComment',
  adminCommentSchema.extend({
    inReplyTo: z
      .object({ id: z.number().int(), authorName: z.string(), excerpt: z.string().describe('Plain text, cut short') })
      .nullable()
      .describe('The comment this one answers'),
    contextUrl: url.describe('Its place on the post, or where it will appear once approved'),
  }),
);
export const ownCommentEditSchema = named(
  'OwnCommentEdit',
  z.object({ id: z.number().int(), status: z.enum(['pending', 'approved', 'spam']), html: z.string(), updatedAt: dateTime.nullable() }),
);
export const tagSummarySchema = named('Tag', tagRefSchema.extend({ postCount: z.number().int(), url }));
export const searchResultSchema = named(
  'SearchResult',
  z.object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    summary: z.string(),
    publishedAt: dateTime,
    url,
    snippet: z.string().describe('Escaped HTML with matches in <mark>'),
  }),
);
export const userSchema = named('User', z.object({ id: z.number().int(), email: z.string(), name: z.string() }));
export const apiTokenSchema = named(
  'ApiToken',
  z.object({
    id: z.number().int(),
    name: z.string(),
    prefix: z.string(),
    createdAt: dateTime,
    lastUsedAt: dateTime.nullable(),
    expiresAt: dateTime.nullable().describe('After this the token no longer works; null when it never expires'),
  }),
);
const siteImageSchema = named(
  'SiteImage',
  z.object({
    url: z.string().describe('A path on this site; it names the image’s bytes, so it may be cached for ever'),
    width: z.number().int(),
    height: z.number().int(),
    contentType: z.literal('image/png'),
  }),
);

export const responses = {
  postPage: page(postSummarySchema, 'PostPage'),
  commentPage: page(publicCommentSchema, 'CommentPage'),
  adminCommentPage: page(moderationCommentSchema, 'AdminCommentPage'),
  authorPostPage: page(authorPostSchema, 'AuthorPostPage'),
  tagList: page(tagSummarySchema, 'TagList'),
  searchPage: page(searchResultSchema, 'SearchResults'),
  settings: named('Settings', siteSettingsSchema),
  siteIdentity: named(
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
  ),
  siteImage: siteImageSchema,
  session: named('Session', z.object({ user: userSchema.nullable(), via: z.enum(['bootstrap', 'token', 'session']) })),
  signedIn: named('SignedIn', z.object({ user: userSchema })),
  tokenList: named('ApiTokenList', z.object({ data: z.array(apiTokenSchema) })),
  createdToken: named('CreatedApiToken', apiTokenSchema.extend({ token: z.string().describe('Shown this once') })),
  slugCheck: named('SlugAvailability', z.object({ slug: z.string(), available: z.boolean() })),
  preview: named('Preview', z.object({ html: z.string() })),
  bulkResult: named(
    'BulkResult',
    z.object({
      action: z.enum(['approve', 'pending', 'spam', 'delete']),
      changed: z.number().int(),
      previous: z
        .array(z.object({ id: z.number().int(), status: z.enum(['pending', 'approved', 'spam']) }))
        .describe('Each changed comment with the status it had, to undo the action; empty for delete'),
    }),
  ),
  commentChange: named(
    'CommentChange',
    z.union([adminCommentSchema, ownCommentEditSchema]),
    "The author's view of the comment, or for the reader who wrote it { id, status, html, updatedAt }",
  ),
  ownComments: named('OwnComments', z.object({ data: z.array(z.object({ id: z.number().int(), body: z.string() })) })),
  health: named(
    'Health',
    z.object({
      status: z.literal('ok'),
      database: z.literal('ok'),
      migrations: z.number().int().describe('How many migrations the database has'),
      version: z.string().nullable().describe('The latest migration applied, e.g. 0005_sitemap_lastmod_index'),
    }),
  ),
};
