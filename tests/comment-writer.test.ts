import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import * as ownHeldRoute from '@/app/api/posts/[slug]/comments/mine/route';
import { transaction } from '@/db';
import { comments } from '@/db/schema';
import { textLength } from '@/lib/schema/fields';
import { COMMENT_MAX_LENGTH } from '@/lib/comments/schemas';
import { setCommentsStatus } from '@/lib/comments/moderation-queue';
import { call, makeComment, makePost, resetDatabase } from './helpers';

/*
 * What a reader's browser is told about their own comments (issue 24, items 9 and 10): the held
 * ones, for them alone, and one way of counting a comment's length, shared with the form.
 */

beforeEach(resetDatabase);

/** More links than the spam check allows: the comment is held. */
const LINKS = 'https://a.example https://b.example https://c.example';

const post = (slug: string, json: unknown, cookie?: string) =>
  call(commentsRoute.POST, { method: 'POST', params: { slug }, json, headers: cookie ? { Cookie: cookie } : {} });
const mine = (slug: string, cookie?: string) => call(ownHeldRoute.GET, { params: { slug }, headers: cookie ? { Cookie: cookie } : {} });

/** The commenter cookie a first comment sets, as the browser sends it back. */
const commenterOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith('quire_commenter='))!
    .split(';')[0]!;

describe('the length of a comment', () => {
  it('is counted in characters (code points), after the text is cleaned, the same way in the form and the API', () => {
    expect(textLength('😀😀😀')).toBe(3);
    expect(textLength('  a\r\nb\u0000  ')).toBe(3);
    expect(COMMENT_MAX_LENGTH).toBe(5_000);
  });

  // Rendering 5,000 emoji takes seconds on a busy machine.
  it('accepts 5,000 emoji and refuses 5,001, naming the field', { timeout: 30_000 }, async () => {
    const { slug } = await makePost();
    expect((await post(slug, { authorName: 'Ada', body: '😀'.repeat(COMMENT_MAX_LENGTH) })).status).toBe(201);
    const refused = await post(slug, { authorName: 'Ada', body: '😀'.repeat(COMMENT_MAX_LENGTH + 1) });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect((await refused.json()).errors).toEqual([{ field: 'body', message: 'Comment must be at most 5,000 characters.' }]);
  });
});

describe('GET /api/posts/{slug}/comments/mine: the reader’s own held comments', () => {
  it('answers the writer’s held comments on this post, by their commenter cookie, privately', async () => {
    const { slug } = await makePost();
    const other = await makePost();
    const first = await post(slug, { authorName: 'Ada', body: `Held: ${LINKS}` });
    const cookie = commenterOf(first);
    const held = await first.json();
    expect(held.status).toBe('pending');
    // Published comments, another post's held one and another reader's are not in the answer.
    expect((await (await post(slug, { authorName: 'Ada', body: 'Published.' }, cookie)).json()).status).toBe('approved');
    await post(other.slug, { authorName: 'Ada', body: `Elsewhere: ${LINKS}` }, cookie);
    await post(slug, { authorName: 'Bo', body: `Not Ada's: ${LINKS}` });

    const response = await mine(slug, cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(await response.json()).toEqual({
      data: [
        {
          id: held.id,
          parentId: null,
          authorName: 'Ada',
          byAuthor: false,
          html: held.html,
          createdAt: held.createdAt,
          status: 'pending',
        },
      ],
    });
  });

  it('answers nothing without the cookie or with a forged one', async () => {
    const { slug } = await makePost();
    await post(slug, { authorName: 'Ada', body: `Held: ${LINKS}` });
    expect(await (await mine(slug)).json()).toEqual({ data: [] });
    expect(await (await mine(slug, 'quire_commenter=cforged123456789012345678.bad')).json()).toEqual({ data: [] });
  });

  it('drops a comment once approved or deleted; one filed as spam still reads as awaiting moderation', async () => {
    const { slug } = await makePost();
    const first = await post(slug, { authorName: 'Ada', body: `One: ${LINKS}` });
    const cookie = commenterOf(first);
    const one = await first.json();
    const two = await (await post(slug, { authorName: 'Ada', body: `Two: ${LINKS}` }, cookie)).json();
    await setCommentsStatus([two.id], 'spam');
    const ids = async () => ((await (await mine(slug, cookie)).json()) as { data: { id: number; status: string }[] }).data;
    expect(await ids()).toEqual([
      expect.objectContaining({ id: one.id, status: 'pending' }),
      expect.objectContaining({ id: two.id, status: 'pending' }),
    ]);
    await setCommentsStatus([one.id], 'approved');
    await transaction((tx) => tx.delete(comments).where(eq(comments.id, two.id)));
    expect(await ids()).toEqual([]);
  });

  it('places a held reply under its parent while the parent is shown, else at the top', async () => {
    const { slug } = await makePost();
    const parent = await makeComment(slug);
    const first = await post(slug, { authorName: 'Ada', body: `Reply: ${LINKS}`, parentId: parent.id });
    const cookie = commenterOf(first);
    expect((await (await mine(slug, cookie)).json()).data[0].parentId).toBe(parent.id);
    await setCommentsStatus([parent.id], 'pending');
    expect((await (await mine(slug, cookie)).json()).data[0].parentId).toBeNull();
  });

  it('answers 404 for an unknown post', async () => {
    expect((await mine('no-such-post')).status).toBe(404);
  });
});
