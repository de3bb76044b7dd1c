import { z } from 'zod';
import { COMMENT_STATUSES, type CommentStatus, MAX_ID } from '@/db/enums';
import { requestSchema, responseSchema } from '@/lib/schema/registry';
import { dateTime, optionalField, pageOf, textField, url } from '@/lib/schema/fields';
import { listQuerySchema } from '@/lib/pagination';
import { SLUG_MAX_LENGTH } from '@/lib/slug';

/*
 * Comments, moderation and the comment settings: what the API accepts and answers, and the types
 * the rest of the code (pages and client components included) takes from them.
 */

export type { CommentStatus };

/** What a moderator can do to comments: each status, and delete. */
export const MODERATION_ACTIONS = ['approve', 'pending', 'spam', 'delete'] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

/* Requests. */

/** The longest comment, in characters as textField counts them (lib/schema/fields.ts); the form counts the same way. */
export const COMMENT_MAX_LENGTH = 5_000;

export const commentCreateSchema = requestSchema(
  'CommentCreate',
  z.strictObject({
    /** The honeypot: hidden from people, so anything in it came from a bot. Any value is accepted. */
    website: z.unknown().optional(),
    /** When the form was rendered, signed (see lib/comments/spam-policy.ts). */
    formToken: z.unknown().optional(),
    authorName: textField('Name', 80),
    body: textField('Comment', COMMENT_MAX_LENGTH),
    authorEmail: optionalField(
      z
        .string()
        .trim()
        .max(254, 'Email must be at most 254 characters.')
        .pipe(z.email('Enter an email address such as ada@example.com, or leave it empty.')),
    ),
    parentId: optionalField(
      z.coerce
        .number({ error: 'parentId must be the id of a comment on this post.' })
        .int('parentId must be the id of a comment on this post.')
        .positive('parentId must be the id of a comment on this post.')
        .max(MAX_ID, 'parentId must be the id of a comment on this post.'),
    ),
  }),
);

export const commentUpdateSchema = requestSchema(
  'CommentUpdate',
  z
    .strictObject({
      status: z.enum(COMMENT_STATUSES, { error: 'status must be "pending", "approved" or "spam".' }),
      body: textField('Comment', COMMENT_MAX_LENGTH),
    })
    .partial()
    .refine((patch) => Object.keys(patch).length > 0, { error: 'Send status or body.' }),
);

export const bulkModerationSchema = requestSchema(
  'BulkModeration',
  z.strictObject({
    action: z.enum(MODERATION_ACTIONS, { error: 'action must be approve, pending, spam or delete.' }),
    ids: z
      .array(z.number({ error: 'ids must be comment ids.' }).int().positive().max(MAX_ID, 'ids must be comment ids.'), {
        error: 'ids must be a list of comment ids.',
      })
      .min(1, 'Select at least one comment.')
      .max(100, 'At most 100 comments at a time.'),
  }),
);

export const moderationQuerySchema = listQuerySchema.extend({
  status: z.enum(COMMENT_STATUSES, { error: 'status must be pending, approved or spam.' }).default('pending'),
  /** A post's slug: only its comments. Empty means every post. */
  post: z.string().max(SLUG_MAX_LENGTH, `post must be a post's slug.`).optional(),
  /** Text to find in the body, the name or the email (a substring). Empty means no search. */
  q: z.string().max(200, 'q must be at most 200 characters.').optional(),
});

/* The site-wide comment settings. */

export const MODERATION_POLICIES = ['immediate', 'hold_all', 'hold_first_time'] as const;

const int = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number.` })
    .int(`${label} must be a whole number.`)
    .min(min, `${label} must be at least ${min}.`)
    .max(max, `${label} must be at most ${max}.`);

/** The fields of the site-wide comment settings, without defaults, so a partial update changes only what it names. */
const commentSettingsFields = {
  /**
   * immediate: publish; hold_all: every comment waits for approval; hold_first_time: a reader's comment waits
   * until one from the same browser (its signed commenter cookie, never the typed email) has been approved.
   */
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
  /** A form submitted sooner than this after the reader was first shown it is treated as a bot's. */
  minSubmitSeconds: int('minSubmitSeconds', 0, 600),
  /** How deep replies nest; a reply to a comment at the deepest level joins that comment's parent. */
  maxReplyDepth: int('maxReplyDepth', 1, 10),
  /** How long a reader may edit or delete their own comment. */
  editWindowMinutes: int('editWindowMinutes', 0, 1440),
};

export const commentSettingsUpdateSchema = requestSchema('CommentSettingsUpdate', z.strictObject(commentSettingsFields).partial());
export type CommentSettingsUpdate = z.output<typeof commentSettingsUpdateSchema>;

export const DEFAULT_COMMENT_SETTINGS: Required<CommentSettingsUpdate> = {
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
export const commentSettingsSchema = responseSchema(
  'CommentSettings',
  z.strictObject({
    moderation: commentSettingsFields.moderation.default(DEFAULT_COMMENT_SETTINGS.moderation),
    commentsEnabled: commentSettingsFields.commentsEnabled.default(DEFAULT_COMMENT_SETTINGS.commentsEnabled),
    blocklist: commentSettingsFields.blocklist.default(DEFAULT_COMMENT_SETTINGS.blocklist),
    maxLinks: commentSettingsFields.maxLinks.default(DEFAULT_COMMENT_SETTINGS.maxLinks),
    commentRateLimit: commentSettingsFields.commentRateLimit.default(DEFAULT_COMMENT_SETTINGS.commentRateLimit),
    minSubmitSeconds: commentSettingsFields.minSubmitSeconds.default(DEFAULT_COMMENT_SETTINGS.minSubmitSeconds),
    maxReplyDepth: commentSettingsFields.maxReplyDepth.default(DEFAULT_COMMENT_SETTINGS.maxReplyDepth),
    editWindowMinutes: commentSettingsFields.editWindowMinutes.default(DEFAULT_COMMENT_SETTINGS.editWindowMinutes),
  }),
);
export type CommentSettings = z.output<typeof commentSettingsSchema>;

/* Responses. */

/** What anyone may see of a comment: never the email, never the Markdown source. */
export const publicCommentSchema = responseSchema(
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

/** A new comment as its writer is told of it: one judged spam is reported as pending, so bots learn nothing. */
export const createdCommentSchema = responseSchema(
  'CreatedComment',
  publicCommentSchema.extend({
    status: z.enum(COMMENT_STATUSES).extract(['approved', 'pending']).describe('pending: waits for moderation'),
  }),
);

/** The moderation view: everything, with the post it belongs to. */
export const adminCommentSchema = responseSchema(
  'AdminComment',
  publicCommentSchema.extend({
    postId: z.number().int(),
    postSlug: z.string(),
    postTitle: z.string(),
    authorEmail: z.string().nullable(),
    body: z.string(),
    status: z.enum(COMMENT_STATUSES),
    updatedAt: dateTime.nullable(),
    editedAt: dateTime.nullable().describe('When the text last changed after posting; null if never'),
    moderationReason: z
      .string()
      .nullable()
      .describe('Why Quire held it or filed it as spam when it came in or was edited ("blocklisted word: …"); null if it was published'),
  }),
);

/** A row of the moderation queue: what the comment answers, and where it is read on the site. */
export const moderationCommentSchema = responseSchema(
  'ModerationComment',
  adminCommentSchema.extend({
    inReplyTo: z
      .object({ id: z.number().int(), authorName: z.string(), excerpt: z.string().describe('Plain text, cut short') })
      .nullable()
      .describe('The comment this one answers'),
    contextUrl: url.describe('Its place on the post, or where it will appear once approved'),
  }),
);

/** A reader's edit of their own comment, as they are told of it. */
export const ownCommentEditSchema = responseSchema(
  'OwnCommentEdit',
  z.object({ id: z.number().int(), status: z.enum(COMMENT_STATUSES), html: z.string(), updatedAt: dateTime.nullable() }),
);

export const commentPageSchema = pageOf(publicCommentSchema, 'CommentPage');
export const adminCommentPageSchema = pageOf(moderationCommentSchema, 'AdminCommentPage');

export const bulkResultSchema = responseSchema(
  'BulkResult',
  z.object({
    action: z.enum(MODERATION_ACTIONS),
    changed: z.number().int(),
    previous: z
      .array(z.object({ id: z.number().int(), status: z.enum(COMMENT_STATUSES) }))
      .describe('Each changed comment with the status it had, to undo the action; empty for delete'),
  }),
);

export const commentChangeSchema = responseSchema(
  'CommentChange',
  z.union([adminCommentSchema, ownCommentEditSchema]),
  "The author's view of the comment, or for the reader who wrote it { id, status, html, updatedAt }",
);

export const ownCommentsSchema = responseSchema(
  'OwnComments',
  z.object({ data: z.array(z.object({ id: z.number().int(), body: z.string() })) }),
);

/** The reader's own comments on a post that wait for moderation, shown to them alone (spam reads as pending too). */
export const ownHeldCommentsSchema = responseSchema('OwnHeldComments', z.object({ data: z.array(createdCommentSchema) }));

export type CommentCreateInput = z.output<typeof commentCreateSchema>;
export type CommentUpdateInput = z.output<typeof commentUpdateSchema>;
export type BulkModeration = z.output<typeof bulkModerationSchema>;
export type ModerationQuery = z.output<typeof moderationQuerySchema>;
export type PublicComment = z.output<typeof publicCommentSchema>;
export type CreatedComment = z.output<typeof createdCommentSchema>;
export type AdminComment = z.output<typeof adminCommentSchema>;
export type ModerationComment = z.output<typeof moderationCommentSchema>;
export type OwnCommentEdit = z.output<typeof ownCommentEditSchema>;
export type BulkResult = z.output<typeof bulkResultSchema>;
/** A comment a moderation action changed, with the status it had before: what Undo puts back. */
export type StatusChange = BulkResult['previous'][number];
export type OwnComments = z.output<typeof ownCommentsSchema>;
export type OwnHeldComments = z.output<typeof ownHeldCommentsSchema>;

/** A comment on the post page with its replies (the API answers flat pages; pages draw threads). */
export interface CommentNode extends PublicComment {
  replies: CommentNode[];
}
