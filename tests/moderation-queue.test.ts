import { beforeEach, describe, expect, it } from 'vitest';
import * as bulkRoute from '@/app/api/admin/comments/bulk/route';
import * as adminCommentsRoute from '@/app/api/admin/comments/route';
import * as commentRoute from '@/app/api/comments/[id]/route';
import { eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { type CommentStatus, comments } from '@/db/schema';
import {
  countCommentsByStatus,
  listCommentsForModeration,
  listPostsWithComments,
  setCommentsStatus,
} from '@/lib/comments/moderation-queue';
import { editOwnComment } from '@/lib/comments/submission';
import { ADMIN, call, makeComment, makePost, resetDatabase } from './helpers';

/* The moderation queue (issue 11 item 12): reply context, links in context, filters, the author's edits and Undo. */

beforeEach(() => resetDatabase());

const setStatus = (id: number, status: CommentStatus) =>
  transaction((tx) => tx.update(comments).set({ status }).where(eq(comments.id, id)));
const row = async (id: number) =>
  (
    await getDb()
      .select({ status: comments.status, body: comments.body, html: comments.html, editedAt: comments.editedAt })
      .from(comments)
      .where(eq(comments.id, id))
  )[0];

describe('the queue', () => {
  it('says which comment a reply answers, with an excerpt, and links each comment to its place on the post', async () => {
    const post = await makePost({ slug: 'context' });
    const parent = await makeComment(post.slug, { authorName: 'Grace', body: 'A **first** thought & 1 < 2 > 0, ' + 'long '.repeat(60) });
    const reply = await makeComment(post.slug, { authorName: 'Alan', body: 'An answer.', parentId: parent.id });
    const heldReply = await makeComment(post.slug, { authorName: 'Held', body: 'Waiting.', parentId: parent.id });
    const heldTop = await makeComment(post.slug, { authorName: 'Solo', body: 'Alone.' });
    await setStatus(heldReply.id, 'pending');
    await setStatus(heldTop.id, 'pending');

    const approved = (await listCommentsForModeration({ status: 'approved', limit: 10 })).data;
    const answer = approved.find((c) => c.id === reply.id)!;
    expect(answer.inReplyTo).toMatchObject({ id: parent.id, authorName: 'Grace' });
    // Plain text, entities decoded, cut short: React escapes it again on the page.
    expect(answer.inReplyTo!.excerpt).toMatch(/^A first thought & 1 < 2 > 0, long long/);
    expect(answer.inReplyTo!.excerpt.length).toBeLessThanOrEqual(120);
    expect(answer.inReplyTo!.excerpt.endsWith('…')).toBe(true);
    expect(answer.contextUrl).toBe(`https://blog.example.test/posts/context#comment-${reply.id}`);
    expect(approved.find((c) => c.id === parent.id)!.inReplyTo).toBeNull();

    // A held comment is not on the page yet: the link goes where it will appear.
    const pending = (await listCommentsForModeration({ status: 'pending', limit: 10 })).data;
    expect(pending.find((c) => c.id === heldReply.id)!.contextUrl).toBe(`https://blog.example.test/posts/context#comment-${parent.id}`);
    expect(pending.find((c) => c.id === heldTop.id)!.contextUrl).toBe('https://blog.example.test/posts/context#comments');
    // ... and so does a reply whose parent is itself held.
    await setStatus(parent.id, 'pending');
    const orphan = (await listCommentsForModeration({ status: 'pending', limit: 10 })).data.find((c) => c.id === heldReply.id)!;
    expect(orphan.contextUrl).toBe('https://blog.example.test/posts/context#comments');
  });

  it('filters by post and searches text, name and email, combined with the status and the cursor', async () => {
    const one = await makePost({ slug: 'one' });
    const two = await makePost({ slug: 'two' });
    const ids: number[] = [];
    for (let n = 0; n < 3; n++) ids.push((await makeComment(one.slug, { authorName: `Reader ${n}`, body: `Needle ${n} in one` })).id);
    await makeComment(two.slug, { authorName: 'Other', body: 'Needle in two' });
    await makeComment(one.slug, { authorName: 'Quiet', body: 'Nothing here' });
    const held = await makeComment(one.slug, { authorName: 'Held', body: 'Needle held' });
    await setStatus(held.id, 'pending');

    const bodies = (page: { data: { body: string }[] }) => page.data.map((c) => c.body);
    expect(bodies(await listCommentsForModeration({ status: 'approved', limit: 10, post: 'two' }))).toEqual(['Needle in two']);
    expect(bodies(await listCommentsForModeration({ status: 'approved', limit: 10, post: 'one', q: 'needle' }))).toEqual([
      'Needle 2 in one',
      'Needle 1 in one',
      'Needle 0 in one',
    ]);
    const first = await listCommentsForModeration({ status: 'approved', limit: 2, post: 'one', q: 'needle' });
    expect(bodies(first)).toEqual(['Needle 2 in one', 'Needle 1 in one']);
    expect(
      bodies(await listCommentsForModeration({ status: 'approved', limit: 2, post: 'one', q: 'needle', cursor: first.nextCursor! })),
    ).toEqual(['Needle 0 in one']);
    expect(bodies(await listCommentsForModeration({ status: 'pending', limit: 10, q: 'NEEDLE' }))).toEqual(['Needle held']);
    expect(bodies(await listCommentsForModeration({ status: 'approved', limit: 10, q: 'reader 1' }))).toEqual(['Needle 1 in one']);
    // LIKE's wildcards are searched for as themselves.
    expect(bodies(await listCommentsForModeration({ status: 'approved', limit: 10, q: '%' }))).toEqual([]);
    expect(bodies(await listCommentsForModeration({ status: 'approved', limit: 10, q: '_' }))).toEqual([]);
    // Empty filters (a GET form sends them) filter nothing.
    expect((await listCommentsForModeration({ status: 'approved', limit: 10, post: '', q: '  ' })).data).toHaveLength(5);
    await expect(listCommentsForModeration({ status: 'approved', limit: 10, post: 'no-such-post' })).rejects.toThrow(/Post was not found/);

    expect(await countCommentsByStatus('one')).toEqual({ pending: 1, approved: 4, spam: 0 });
    expect(await countCommentsByStatus()).toEqual({ pending: 1, approved: 5, spam: 0 });
    expect((await listPostsWithComments()).map((p) => p.slug).sort()).toEqual(['one', 'two']);
  });

  it('searches by email through the API, and the API takes post and q', async () => {
    const post = await makePost({ slug: 'api' });
    const { id } = await makeComment(post.slug, { authorName: 'Mail' });
    await transaction((tx) => tx.update(comments).set({ authorEmail: 'mail@example.com' }).where(eq(comments.id, id)));
    await makeComment(post.slug);
    const response = await call(adminCommentsRoute.GET, {
      path: '/api/admin/comments?status=approved&post=api&q=mail%40example',
      headers: ADMIN,
    });
    expect(response.status).toBe(200);
    expect((await response.json()).data.map((c: { id: number }) => c.id)).toEqual([id]);
    const unknown = await call(adminCommentsRoute.GET, { path: '/api/admin/comments?post=nope', headers: ADMIN });
    expect(unknown.status).toBe(404);
    const tooLong = await call(adminCommentsRoute.GET, { path: `/api/admin/comments?q=${'x'.repeat(201)}`, headers: ADMIN });
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).errors).toEqual([expect.objectContaining({ field: 'q' })]);
  });
});

describe('bulk actions answer what they changed, so they can be undone', () => {
  it('refuses an id no comment can have with a 400 naming ids, on PostgreSQL too (its ids are 32-bit)', async () => {
    const { slug } = await makePost();
    const a = await makeComment(slug);
    const response = await call(bulkRoute.POST, {
      method: 'POST',
      headers: ADMIN,
      json: { action: 'approve', ids: [Number.MAX_SAFE_INTEGER, a.id] },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.stringify(await response.json())).toContain('ids must be comment ids.');
  });

  it('lists each changed comment with the status it had', async () => {
    const { slug } = await makePost();
    const a = await makeComment(slug);
    const b = await makeComment(slug);
    await setStatus(b.id, 'pending');
    const response = await call(bulkRoute.POST, { method: 'POST', headers: ADMIN, json: { action: 'spam', ids: [a.id, b.id, 999_999] } });
    expect(await response.json()).toEqual({
      action: 'spam',
      changed: 2,
      previous: [
        { id: a.id, status: 'approved' },
        { id: b.id, status: 'pending' },
      ],
    });
    // Undo: each back to where it was.
    await call(bulkRoute.POST, { method: 'POST', headers: ADMIN, json: { action: 'approve', ids: [a.id] } });
    await call(bulkRoute.POST, { method: 'POST', headers: ADMIN, json: { action: 'pending', ids: [b.id] } });
    expect([(await row(a.id))!.status, (await row(b.id))!.status]).toEqual(['approved', 'pending']);
  });
});

describe('the author edits a reader’s comment (PATCH /api/comments/{id})', () => {
  const patch = (id: number | string, json: unknown, headers: Record<string, string> = ADMIN) =>
    call(commentRoute.PATCH, { method: 'PATCH', params: { id: String(id) }, headers, json });

  it('re-renders the Markdown, keeps the status and records the edit', async () => {
    const { slug } = await makePost();
    const { id } = await makeComment(slug, { body: 'Tpyo, and [a link](https://spam.example)' });
    await setStatus(id, 'pending');
    const response = await patch(id, { body: 'Typo fixed, **no** link.' });
    expect(response.status).toBe(200);
    const changed = await response.json();
    expect(changed).toMatchObject({ id, status: 'pending', body: 'Typo fixed, **no** link.' });
    expect(changed.html).toBe('<p>Typo fixed, <strong>no</strong> link.</p>');
    expect(changed.editedAt).toEqual(expect.any(String));
    expect(await row(id)).toMatchObject({ status: 'pending', editedAt: changed.editedAt });

    // A status change alone, or the same text again, is not an edit; a reader's own edit is.
    const other = await makeComment(slug);
    await patch(other.id, { status: 'spam' });
    await patch(other.id, { body: 'A thoughtful comment.' });
    expect((await row(other.id))!.editedAt).toBeNull();
    await editOwnComment(other.id, 'A thoughtful comment, edited.', '192.0.2.1');
    expect((await row(other.id))!.editedAt).toEqual(expect.any(String));
  });

  it('a reader’s edit at the moment the author marks it spam cannot bring it back', async () => {
    const { slug } = await makePost();
    for (let round = 0; round < 5; round++) {
      const { id } = await makeComment(slug);
      await Promise.all([editOwnComment(id, `Edited ${round}.`, '192.0.2.1'), setCommentsStatus([id], 'spam')]);
      expect((await row(id))!.status).toBe('spam');
    }
  });

  it('needs the author, a body, and a comment that exists', async () => {
    const { slug } = await makePost();
    const { id } = await makeComment(slug);
    expect((await patch(id, { body: 'Changed' }, {})).status).toBe(401);
    const empty = await patch(id, { body: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.headers.get('content-type')).toBe('application/problem+json');
    expect((await empty.json()).errors).toEqual([{ field: 'body', message: 'Comment is required.' }]);
    expect((await patch(999_999, { body: 'Changed' })).status).toBe(404);
    expect((await row(id))!.body).toBe('A thoughtful comment.');
    const put = await call(commentRoute.PUT, { method: 'PUT', headers: ADMIN });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS, PATCH');
  });
});
