import { endpoint } from '@/lib/api/endpoint';
import { idOf, slugOf } from '@/lib/api/endpoints/params';
import { WRITE_PROBLEMS, problems } from '@/lib/api/problems';
import {
  adminCommentPageSchema,
  bulkModerationSchema,
  bulkResultSchema,
  commentChangeSchema,
  commentCreateSchema,
  commentPageSchema,
  commentSettingsSchema,
  commentSettingsUpdateSchema,
  commentUpdateSchema,
  createdCommentSchema,
  moderationQuerySchema,
  ownCommentsSchema,
  ownHeldCommentsSchema,
  publicCommentSchema,
} from '@/lib/comments/schemas';
import { assertSameOrigin } from '@/lib/auth/authenticate';
import { tags as cacheTags } from '@/lib/cache';
import { assertReaderMayChange, checkCommentEditRate, checkCommentRate, editOwnComment, submitComment } from '@/lib/comments/submission';
import { deleteComments, listCommentsForModeration, moderateComments, updateComment } from '@/lib/comments/moderation-queue';
import { getApprovedComment, getOwnCommentSources, listApprovedComments, listOwnHeldComments } from '@/lib/comments/reads';
import { COMMENTER_COOKIE, EDIT_COOKIE, editableIds } from '@/lib/comments/reader-cookies';
import { getCommentSettings, updateCommentSettings } from '@/lib/comments/settings';
import { AppError, notFound } from '@/lib/errors';
import { cachedJson, clientAddress, json, noContent, seeOther } from '@/lib/http';
import { readCookie, serializeCookie } from '@/lib/http/cookies';
import { listQuerySchema } from '@/lib/pagination';
import { commentAnchor, postPath } from '@/lib/site/paths';

/* Comments: readers write and change their own, the author moderates. */

export const postCommentsEndpoint = endpoint('/api/posts/{slug}/comments', { slug: slugOf('Post') })
  .get({
    summary: "List a post's approved comments",
    description: 'Oldest first, keyset-paginated.',
    access: 'public',
    cached: true,
    query: listQuerySchema,
    responses: { 200: { description: 'A page of comments', schema: commentPageSchema }, ...problems(400, 404) },
    handler: ({ request, params: { slug }, query }) =>
      cachedJson(request, { key: ['comments', slug, query.limit, query.cursor ?? null], tags: [cacheTags.post(slug)] }, () =>
        listApprovedComments(slug, query),
      ),
  })
  .post({
    summary: 'Add a comment',
    description:
      'Readers comment without credentials; a signed-in author or a token holder comments as the author. An HTML form post gets a 303 to the post page instead of 201.',
    access: 'optional',
    body: commentCreateSchema,
    // A form with invalid fields goes back to the post's form, which names them; other errors stay problems.
    form: ({ error, params }) =>
      error.code === 'validation' && error.errors
        ? `${postPath(params.slug)}?${new URLSearchParams({ invalid: [...new Set(error.errors.map((e) => e.field))].join(',') })}#comment-form`
        : undefined,
    responses: {
      201: { description: 'Created; `status` says whether it waits for moderation', schema: createdCommentSchema, headers: ['Location'] },
      303: { description: 'From an HTML form: see the post page', headers: ['Location'] },
      ...problems(...WRITE_PROBLEMS, 404, 429),
    },
    handler: async ({ request, params: { slug }, body, caller, fromForm }) => {
      const settings = await getCommentSettings();
      const reader = caller ? undefined : clientAddress(request);
      if (reader !== undefined) await checkCommentRate(reader, settings);
      const { comment, editGrants, commenter } = await submitComment(slug, await body(), {
        settings,
        reader,
        author: caller && caller.kind !== 'bootstrap' ? caller.user : undefined,
        editCookie: readCookie(request, EDIT_COOKIE),
        commenterCookie: readCookie(request, COMMENTER_COOKIE),
      });
      const headers = new Headers();
      if (editGrants) headers.append('Set-Cookie', serializeCookie(request, EDIT_COOKIE, editGrants.value, editGrants.maxAgeSeconds));
      if (commenter) headers.append('Set-Cookie', serializeCookie(request, COMMENTER_COOKIE, commenter.value, commenter.maxAgeSeconds));
      if (fromForm) {
        const page = postPath(slug);
        return seeOther(comment.status === 'approved' ? `${page}#${commentAnchor(comment.id)}` : `${page}?held=1#comment-form`, headers);
      }
      headers.set('Location', `/api/comments/${comment.id}`);
      return json(comment, { status: 201, headers });
    },
  });

/** A reader without credentials may change their own comment for a while, from this site, not too often. */
async function assertReaderMay(request: Request, id: number) {
  await assertReaderMayChange(id, readCookie(request, EDIT_COOKIE));
  assertSameOrigin(request);
}

export const commentEndpoint = endpoint('/api/comments/{id}', { id: idOf('Comment') })
  .get({
    summary: 'Get an approved comment',
    access: 'public',
    cached: true,
    responses: { 200: { description: 'The comment', schema: publicCommentSchema }, ...problems(404) },
    handler: ({ request, params: { id } }) =>
      cachedJson(request, { key: ['comment', id], tags: [cacheTags.comment(id)] }, async () => {
        const comment = await getApprovedComment(id);
        if (!comment) throw notFound('Comment');
        return comment;
      }),
  })
  .patch({
    summary: 'Moderate or edit a comment',
    description:
      'The author may change `status` and `body` (a new `body` is rendered again and sets `editedAt`; the status stays unless sent); the reader who wrote it may change `body` within the edit window (signed cookie).',
    access: 'reader-or-author',
    body: commentUpdateSchema,
    responses: {
      200: { description: 'The changed comment', schema: commentChangeSchema },
      ...problems(...WRITE_PROBLEMS, 404),
    },
    handler: async ({ request, params: { id }, body, caller }) => {
      if (!caller) {
        await assertReaderMay(request, id);
        await checkCommentEditRate(clientAddress(request));
      }
      const data = await body();
      if (caller) return json(await updateComment(id, data));
      if (data.status !== undefined) throw new AppError('forbidden', 'Only the author of the blog can moderate comments.');
      const { status, html, updatedAt } = await editOwnComment(id, data.body!, clientAddress(request));
      return json({ id, status, html, updatedAt });
    },
  })
  .delete({
    summary: 'Delete a comment',
    description: 'Its replies move up to its parent.',
    access: 'reader-or-author',
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
    handler: async ({ request, params: { id }, caller }) => {
      if (!caller) await assertReaderMay(request, id);
      if ((await deleteComments([id])) === 0) throw notFound('Comment');
      return noContent();
    },
  });

export const ownCommentsEndpoint = endpoint('/api/comments/mine').get({
  summary: "The reader's own comments they may still change",
  description:
    'Read from the signed edit cookie set when the reader commented; empty without it. Never cached: cached pages are the same for everyone, and this is what makes them personal.',
  access: 'public',
  responses: { 200: { description: 'Comment ids with their Markdown', schema: ownCommentsSchema } },
  handler: async ({ request }) => {
    const sources = await getOwnCommentSources(await editableIds(readCookie(request, EDIT_COOKIE)));
    return json({ data: [...sources].map(([id, body]) => ({ id, body })) }, { headers: { 'Cache-Control': 'private, no-store' } });
  },
});

export const ownHeldCommentsEndpoint = endpoint('/api/posts/{slug}/comments/mine', { slug: slugOf('Post') }).get({
  summary: "The reader's own comments on a post that await moderation",
  description:
    'Read from the signed commenter cookie set when the reader first commented; empty without it. The post page is cached and the same for everyone, so the browser adds these in their place, for their writer alone. Never cached.',
  access: 'public',
  responses: { 200: { description: 'Held comments, oldest first', schema: ownHeldCommentsSchema }, ...problems(404) },
  handler: async ({ request, params: { slug } }) => {
    const data = await listOwnHeldComments(slug, readCookie(request, COMMENTER_COOKIE));
    return json({ data }, { headers: { 'Cache-Control': 'private, no-store' } });
  },
});

export const moderationEndpoint = endpoint('/api/admin/comments').get({
  summary: 'The moderation queue',
  description:
    "`post` (a slug) keeps one post's comments; `q` finds text in the body, the name or the email. Each comment says what it answers (`inReplyTo`) and where it is read (`contextUrl`).",
  access: 'author',
  query: moderationQuerySchema,
  responses: {
    200: { description: 'Comments of one status, newest first', schema: adminCommentPageSchema },
    ...problems(400, 401, 404),
  },
  handler: async ({ query }) => json(await listCommentsForModeration(query)),
});

export const bulkModerationEndpoint = endpoint('/api/admin/comments/bulk').post({
  summary: 'Moderate many comments at once',
  description: 'Up to 100 comments in one transaction; the answer says how to undo it.',
  access: 'author',
  body: bulkModerationSchema,
  responses: {
    200: { description: 'How many changed, and the status each had before (to undo it)', schema: bulkResultSchema },
    ...problems(...WRITE_PROBLEMS),
  },
  handler: async ({ body }) => {
    const { action, ids } = await body();
    return json({ action, ...(await moderateComments(action, ids)) });
  },
});

export const commentSettingsEndpoint = endpoint('/api/admin/settings')
  .get({
    summary: 'Comment and spam settings',
    access: 'author',
    responses: { 200: { description: 'The settings', schema: commentSettingsSchema }, ...problems(401) },
    handler: async () => json(await getCommentSettings()),
  })
  .patch({
    summary: 'Change settings',
    access: 'author',
    body: commentSettingsUpdateSchema,
    responses: { 200: { description: 'The settings', schema: commentSettingsSchema }, ...problems(...WRITE_PROBLEMS) },
    handler: async ({ body }) => json(await updateCommentSettings(await body())),
  });
