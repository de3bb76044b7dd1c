import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as adminCommentsRoute from '@/app/api/admin/comments/route';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import * as commentRoute from '@/app/api/comments/[id]/route';
import { getDb, transaction } from '@/db';
import { type CommentStatus, comments } from '@/db/schema';
import { createApiToken } from '@/lib/auth/api-tokens';
import { createUser } from '@/lib/auth/users';
import { getCommentTree } from '@/lib/comments/reads';
import { issueFormToken } from '@/lib/comments/spam-policy';
import { updateCommentSettings } from '@/lib/comments/settings';
import { ADMIN, call, makeComment, makePost, resetDatabase } from './helpers';

/* Issue 24: replies to held comments (item 2) and why a comment was held or filed as spam (item 8). */

beforeEach(() => resetDatabase());

let AUTHOR: Record<string, string>;
beforeAll(async () => {
  // Each test file has a database of its own: the author is created once.
  const user = await createUser({ email: 'held-comments@example.com', name: 'Ada', password: 'correct horse battery staple' });
  AUTHOR = { Authorization: `Bearer ${(await createApiToken(user.id, 'held-comments')).token}` };
});

const setStatus = (id: number, status: CommentStatus) =>
  transaction((tx) => tx.update(comments).set({ status }).where(eq(comments.id, id)));
const row = async (id: number) =>
  (
    await getDb()
      .select({ status: comments.status, parentId: comments.parentId, moderationReason: comments.moderationReason })
      .from(comments)
      .where(eq(comments.id, id))
  )[0];
const post = (slug: string, json: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(commentsRoute.POST, { method: 'POST', params: { slug }, json: { authorName: 'Reader', body: 'Hello', ...json }, headers });

describe('replying to a held comment (item 2)', () => {
  it('the author’s reply approves the held comment it answers, so the reply is never shown alone', async () => {
    const { slug, id: postId } = await makePost();
    const held = await makeComment(slug, { authorName: 'Grace', body: 'A question.' });
    await setStatus(held.id, 'pending');

    const response = await post(slug, { body: 'An answer.', parentId: held.id }, AUTHOR);
    expect(response.status).toBe(201);
    const reply = await response.json();
    expect(reply.status).toBe('approved');
    expect(await row(held.id)).toMatchObject({ status: 'approved' });
    expect(await row(reply.id)).toMatchObject({ status: 'approved', parentId: held.id });
    const tree = await getCommentTree(postId);
    expect(tree.map((c) => c.id)).toEqual([held.id]);
    expect(tree[0]!.replies.map((c) => c.id)).toEqual([reply.id]);
  });

  it('refuses the author’s reply to spam, or to a held comment whose own parent is not published, naming parentId', async () => {
    const { slug } = await makePost();
    const spam = await makeComment(slug, { body: 'Buy now.' });
    await setStatus(spam.id, 'spam');
    const toSpam = await post(slug, { body: 'No.', parentId: spam.id }, AUTHOR);
    expect(toSpam.status).toBe(400);
    expect(toSpam.headers.get('content-type')).toContain('application/problem+json');
    expect((await toSpam.json()).errors).toEqual([{ field: 'parentId', message: expect.stringMatching(/spam/) }]);

    const top = await makeComment(slug, { body: 'Top.' });
    const held = await makeComment(slug, { body: 'Held answer.', parentId: top.id });
    await setStatus(held.id, 'pending');
    await setStatus(top.id, 'pending');
    const deep = await post(slug, { body: 'Reply.', parentId: held.id }, AUTHOR);
    expect(deep.status).toBe(400);
    expect((await deep.json()).errors[0].field).toBe('parentId');
    // Nothing changed: the held comment is still held, and no reply was stored.
    expect(await row(held.id)).toMatchObject({ status: 'pending' });
    expect(await getDb().select({ id: comments.id }).from(comments)).toHaveLength(3);
  });

  it('a reader cannot answer a held or spam comment: to them it does not exist', async () => {
    const { slug } = await makePost();
    for (const status of ['pending', 'spam'] as const) {
      const hidden = await makeComment(slug, { body: `A ${status} comment.` });
      await setStatus(hidden.id, status);
      const response = await post(slug, { parentId: hidden.id }, ADMIN);
      expect(response.status).toBe(400);
      expect((await response.json()).errors[0].field).toBe('parentId');
      expect(await row(hidden.id)).toMatchObject({ status });
    }
  });

  it('a reply whose parent was unapproved later is not shown without it', async () => {
    const { slug, id: postId } = await makePost();
    const parent = await makeComment(slug, { body: 'Parent.' });
    const reply = await makeComment(slug, { body: 'Reply.', parentId: parent.id });
    await makeComment(slug, { body: 'Reply to the reply.', parentId: reply.id });
    const other = await makeComment(slug, { body: 'Another thread.' });
    await call(commentRoute.PATCH, { method: 'PATCH', params: { id: String(parent.id) }, json: { status: 'pending' }, headers: ADMIN });
    expect((await getCommentTree(postId)).map((c) => c.id)).toEqual([other.id]);
  });
});

describe('why a comment was held or filed as spam (item 8)', () => {
  const reasonOf = async (response: Response) => (await row((await response.json()).id))!;

  it('records the reason with the comment and shows it in the admin API', async () => {
    const { slug } = await makePost();
    await updateCommentSettings({
      minSubmitSeconds: 3,
      blocklist: ['casino'],
      maxLinks: 1,
      commentRateLimit: { max: 100, windowSeconds: 60 },
    });
    expect(await reasonOf(await post(slug, { formToken: await issueFormToken(Date.now() - 2_400) }))).toEqual({
      status: 'spam',
      parentId: null,
      moderationReason: 'sent 2 s after the form was shown (the minimum is 3 s)',
    });
    expect((await reasonOf(await post(slug, { website: 'http://spam.example' }))).moderationReason).toBe(
      'the hidden field only bots fill in was filled in',
    );
    expect((await reasonOf(await post(slug, { body: 'Best CASINO in town' }))).moderationReason).toBe('blocklisted word: “casino”');
    expect((await reasonOf(await post(slug, { body: 'See https://a.example and https://b.example' }))).moderationReason).toBe(
      '2 links (the limit is 1)',
    );
    await updateCommentSettings({ moderation: 'hold_first_time' });
    expect((await reasonOf(await post(slug, {}))).moderationReason).toBe('first comment from this browser');
    await updateCommentSettings({ moderation: 'hold_all' });
    expect((await reasonOf(await post(slug, {}))).moderationReason).toBe('every comment is held');
    await updateCommentSettings({ moderation: 'immediate' });
    // A published comment needs no reason.
    expect(await reasonOf(await post(slug, { formToken: await issueFormToken(Date.now() - 10_000) }))).toMatchObject({
      status: 'approved',
      moderationReason: null,
    });

    const queue = await (await call(adminCommentsRoute.GET, { path: '/?status=spam', headers: ADMIN })).json();
    expect(queue.data.map((c: { moderationReason: string }) => c.moderationReason)).toEqual([
      'the hidden field only bots fill in was filled in',
      'sent 2 s after the form was shown (the minimum is 3 s)',
    ]);
  });

  it('tells the writer of a spam comment it awaits moderation, with JSON and from a plain form', async () => {
    const { slug } = await makePost();
    const json = await post(slug, { website: 'x' });
    expect((await json.json()).status).toBe('pending');
    const form = await call(commentsRoute.POST, {
      method: 'POST',
      params: { slug },
      form: { authorName: 'Reader', body: 'Hello', website: 'x' },
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`/posts/${slug}?held=1#comment-form`);
  });

  it('a reader’s edit that a check holds records why', async () => {
    const { slug } = await makePost();
    await updateCommentSettings({ blocklist: ['casino'] });
    const created = await post(slug, {});
    const { id } = await created.json();
    const cookie = created.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const edit = await call(commentRoute.PATCH, {
      method: 'PATCH',
      params: { id: String(id) },
      json: { body: 'Now with casino' },
      headers: { Cookie: cookie, Origin: 'https://blog.example.test' },
    });
    expect(edit.status).toBe(200);
    expect(await row(id)).toMatchObject({ status: 'pending', moderationReason: 'blocklisted word: “casino”' });
  });
});
