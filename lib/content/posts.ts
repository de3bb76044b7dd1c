import { randomUUID } from 'node:crypto';
import { type Placeholder, type SQL, and, asc, desc, eq, gt, inArray, like, lte, or, sql } from 'drizzle-orm';
import { type DB, type Tx, getDb, preparedQuery, transaction } from '@/db';
import { isUniqueViolation, unindexed } from '@/db/sql';
import { expire, tags as cacheTags } from '@/lib/cache';
import { type Post, postTags, posts, tags } from '@/db/schema';
import { AppError, fieldError, notFound } from '@/lib/errors';
import { renderPost } from '@/lib/render/markdown';
import { type Page, decodeCursor, toPage } from '@/lib/pagination';
import type {
  AuthorPost,
  AuthorPostsQuery,
  AuthorStatus,
  PostCreateInput,
  PostListQuery,
  PostSummary,
  PostUpdateInput,
  PublishedPost,
  TagRef,
} from '@/lib/content/schemas';
import { indexPost, matchingPostIds } from '@/lib/content/search';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { postPath } from '@/lib/site/paths';
import { isPostSlugFallback, postSlugFallback, slugWords, slugify } from '@/lib/slug';
import { getTag } from '@/lib/content/tags';
import { publicationScheduleChanged } from '@/lib/content/publication-clock';

const summaryColumns = {
  id: posts.id,
  slug: posts.slug,
  title: posts.title,
  summary: posts.summary,
  publishedAt: posts.publishedAt,
  updatedAt: posts.updatedAt,
  commentCount: posts.commentCount,
};

type SummaryRow = { [K in keyof typeof summaryColumns]: Post[K] };

/**
 * Live means published with a publication time that has come, so scheduled posts appear on
 * their own, without a job or a restart. One range on the (status, published_at, id) index.
 */
export const isLive = (now: string | Placeholder = new Date().toISOString()) =>
  and(eq(posts.status, 'published'), lte(posts.publishedAt, now));

/** Tags of many posts in one query, in the order the author gave them; `db` for a connection other than getDb(). */
export async function loadTags(postIds: number[], db: DB = getDb()): Promise<Map<number, TagRef[]>> {
  const byPost = new Map<number, TagRef[]>();
  if (postIds.length === 0) return byPost;
  const rows = await db
    .select({ postId: postTags.postId, slug: tags.slug, name: tags.name })
    .from(postTags)
    .innerJoin(tags, eq(tags.id, postTags.tagId))
    .where(inArray(postTags.postId, postIds))
    .orderBy(postTags.postId, postTags.position);
  for (const { postId, slug, name } of rows) byPost.set(postId, [...(byPost.get(postId) ?? []), { slug, name }]);
  return byPost;
}

async function withTags<T extends { id: number }>(rows: T[]): Promise<(T & { tags: TagRef[] })[]> {
  const tagsByPost = await loadTags(rows.map((row) => row.id));
  return rows.map((row) => ({ ...row, tags: tagsByPost.get(row.id) ?? [] }));
}

function toSummary(row: SummaryRow & { tags: TagRef[] }): PostSummary {
  // A live row always has a date (a CHECK constraint guarantees it for published posts).
  return { ...row, publishedAt: row.publishedAt!, url: absoluteUrl(postPath(row.slug)) };
}

export function authorStatus(post: Pick<Post, 'status' | 'publishedAt'>, now = new Date().toISOString()): AuthorStatus {
  if (post.status === 'draft') return 'draft';
  return post.publishedAt! > now ? 'scheduled' : 'published';
}

const toAuthorPost = (post: Post & { tags: TagRef[] }): AuthorPost => ({
  ...post,
  status: authorStatus(post),
  url: absoluteUrl(postPath(post.slug)),
});

/** Published posts, newest first, one keyset page at a time; `tag` keeps the posts of one tag. */
export async function listPublishedPosts({ limit, cursor, tag }: PostListQuery): Promise<Page<PostSummary>> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const rows = await getDb()
    .select(summaryColumns)
    .from(posts)
    .where(
      and(
        isLive(),
        after && sql`(${posts.publishedAt}, ${posts.id}) < (${after.time}, ${after.id})`,
        tag === undefined
          ? undefined
          : sql`${posts.id} IN (SELECT ${postTags.postId} FROM ${postTags} JOIN ${tags} ON ${tags.id} = ${postTags.tagId} WHERE ${tags.slug} = ${tag})`,
      ),
    )
    .orderBy(desc(posts.publishedAt), desc(posts.id))
    .limit(limit + 1);
  // An unknown tag is a 404, not an empty list (checked only when the page is empty).
  if (tag !== undefined && rows.length === 0 && !(await getTag(tag))) throw notFound('Tag');
  return toPage((await withTags(rows)).map(toSummary), limit, (post) => ({ time: post.publishedAt, id: post.id }));
}

/** The newest live posts with their HTML, for feeds: one query for the page and one for the bodies. */
export async function listLatestPostsWithHtml({
  limit,
  tag,
}: {
  limit: number;
  tag?: string;
}): Promise<(PostSummary & { html: string })[]> {
  const { data } = await listPublishedPosts({ limit, tag });
  if (data.length === 0) return [];
  const rows = await getDb()
    .select({ id: posts.id, html: posts.html })
    .from(posts)
    .where(
      inArray(
        posts.id,
        data.map((post) => post.id),
      ),
    );
  const html = new Map(rows.map((row) => [row.id, row.html]));
  return data.map((post) => ({ ...post, html: html.get(post.id) ?? '' }));
}

const publishedPost = preparedQuery((db) =>
  db
    .select({ ...summaryColumns, html: posts.html, commentsEnabled: posts.commentsEnabled, wordCount: posts.wordCount })
    .from(posts)
    .where(and(eq(posts.slug, sql.placeholder('slug')), isLive(sql.placeholder('now')))),
);

export async function getPublishedPost(slug: string): Promise<PublishedPost | undefined> {
  const [row] = await publishedPost({ slug, now: new Date().toISOString() });
  if (!row) return undefined;
  const { html, commentsEnabled, wordCount, ...summary } = (await withTags([row]))[0]!;
  return { ...toSummary(summary), html, commentsEnabled, wordCount };
}

/** The live post next to one in publication order, before it (`<`) or after it (`>`). */
const adjacentPost = (direction: '<' | '>') =>
  preparedQuery((db) =>
    db
      .select({ slug: posts.slug, title: posts.title })
      .from(posts)
      .where(
        and(
          isLive(sql.placeholder('now')),
          sql`(${posts.publishedAt}, ${posts.id}) ${sql.raw(direction)} (${sql.placeholder('publishedAt')}, ${sql.placeholder('id')})`,
        ),
      )
      .orderBy(...(direction === '<' ? [desc(posts.publishedAt), desc(posts.id)] : [asc(posts.publishedAt), asc(posts.id)]))
      .limit(1),
  );
const previousPost = adjacentPost('<');
const nextPost = adjacentPost('>');

/** The live posts just before and after one, by publication time, for "previous / next" links. */
export async function getAdjacentPosts(post: { id: number; publishedAt: string }): Promise<{
  previous?: { slug: string; title: string };
  next?: { slug: string; title: string };
}> {
  const values = { now: new Date().toISOString(), publishedAt: post.publishedAt, id: post.id };
  const [[previous], [next]] = await Promise.all([previousPost(values), nextPost(values)]);
  return { previous, next };
}

const livePostForComments = preparedQuery((db) =>
  db
    .select({ id: posts.id, commentsEnabled: posts.commentsEnabled })
    .from(posts)
    .where(and(eq(posts.slug, sql.placeholder('slug')), isLive(sql.placeholder('now')))),
);

/** The live post a comment is for, with what commenting needs to know. */
export async function getLivePostForComments(slug: string): Promise<{ id: number; commentsEnabled: boolean } | undefined> {
  const [post] = await livePostForComments({ slug, now: new Date().toISOString() });
  return post;
}

/* The author's side. */

/** Which posts of the author's list: one status, derived as authorStatus derives it, or all of them. */
function authorStatusFilter(status: AuthorStatus | undefined, now: string): SQL | undefined {
  if (status === 'draft') return eq(posts.status, 'draft');
  if (status === 'scheduled') return and(eq(posts.status, 'published'), gt(posts.publishedAt, now));
  // unindexed() keeps SQLite from ranging over published_at and sorting every live post by its edit: it
  // walks them in edit order instead (posts_status_updated_at_id_published_at_idx) and stops at the page.
  if (status === 'published') return and(eq(posts.status, 'published'), lte(unindexed(posts.publishedAt), now));
  return undefined;
}

/**
 * The author's search: words in the title, summary, text or tags, drafts included. The search index
 * holds every post (the public search keeps to live posts itself), so a post matches its words stemmed
 * or as written, the last word also as the start of a longer one while it is being typed. A query with
 * no words (only symbols) matches nothing.
 */
function matchingPosts(q: string): SQL {
  const ids = matchingPostIds(q);
  return ids ? sql`${posts.id} IN (${ids})` : sql`false`;
}

/** All posts or those of one status, most recently edited first; `q` searches their words (see matchingPosts). */
export async function listPostsForAuthor({ limit, cursor, q, status }: AuthorPostsQuery): Promise<Page<AuthorPost>> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const now = new Date().toISOString();
  const db = getDb();
  // The page is chosen by id from the indexes (and the search's matches) first, and only its rows are read
  // whole: a search that finds most posts sorts their dates, not their texts.
  const page = db
    .select({ id: posts.id })
    .from(posts)
    .where(
      and(
        authorStatusFilter(status, now),
        q?.trim() ? matchingPosts(q) : undefined,
        after && sql`(${posts.updatedAt}, ${posts.id}) < (${after.time}, ${after.id})`,
      ),
    )
    .orderBy(desc(posts.updatedAt), desc(posts.id))
    .limit(limit + 1);
  const rows = await db.select().from(posts).where(inArray(posts.id, page)).orderBy(desc(posts.updatedAt), desc(posts.id));
  // The status shown agrees with the filter: both are taken at the same moment.
  const data = (await withTags(rows)).map((post) => ({ ...toAuthorPost(post), status: authorStatus(post, now) }));
  return toPage(data, limit, (post) => ({ time: post.updatedAt, id: post.id }));
}

/** How many posts of each status the author's list holds, for its tabs; `q` counts only the posts it finds. */
export async function countPostsForAuthor({ q }: { q?: string } = {}): Promise<Record<AuthorStatus | 'all', number>> {
  const now = new Date().toISOString();
  const count = (status: AuthorStatus) => sql<number>`count(*) FILTER (WHERE ${authorStatusFilter(status, now)})`.mapWith(Number);
  const [counts] = await getDb()
    .select({ draft: count('draft'), scheduled: count('scheduled'), published: count('published') })
    .from(posts)
    .where(q?.trim() ? matchingPosts(q) : undefined);
  const { draft, scheduled, published } = counts!;
  return { draft, scheduled, published, all: draft + scheduled + published };
}

async function authorPostWhere(where: SQL): Promise<AuthorPost | undefined> {
  const [row] = await getDb().select().from(posts).where(where);
  return row && toAuthorPost((await withTags([row]))[0]!);
}

export const getPostById = (id: number): Promise<AuthorPost | undefined> => authorPostWhere(eq(posts.id, id));

/** Any post, draft or scheduled too, by its slug: for the author's preview. */
export const getPostBySlugForAuthor = (slug: string): Promise<AuthorPost | undefined> => authorPostWhere(eq(posts.slug, slug));

/** Whether any post, draft or published, uses this slug (other than the post `exceptId`). */
export async function postExists(slug: string, exceptId?: number): Promise<boolean> {
  const [row] = await getDb().select({ id: posts.id }).from(posts).where(eq(posts.slug, slug));
  return row !== undefined && row.id !== exceptId;
}

/**
 * A derived slug never fails: "base", then "base-2", "base-3" ... (one query for all candidates).
 * Slugs are lower-case letters, digits and hyphens, so LIKE reads the same on either database.
 */
async function uniqueSlug(base: string): Promise<string> {
  const rows = await getDb()
    .select({ slug: posts.slug })
    .from(posts)
    .where(or(eq(posts.slug, base), like(posts.slug, `${base}-%`)));
  const taken = new Set(rows.map((row) => row.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * A draft named by its id (its title had no slug words) takes its slug from the first title that has some,
 * until it is published: its address is not public yet. A post that has been public keeps its address.
 */
async function slugForRetitledDraft(current: Post, title: string | undefined): Promise<string | undefined> {
  if (current.status !== 'draft' || current.publishedAt !== null || !isPostSlugFallback(current.slug, current.id)) return undefined;
  const words = slugWords(title ?? current.title);
  // A title such as "Post 7" on post 7 gives the slug it has: re-deriving it would add a number on every save.
  return words && !isPostSlugFallback(words, current.id) ? uniqueSlug(words) : undefined;
}

const slugConflict = (slug: string) =>
  new AppError('conflict', `A post with the slug "${slug}" already exists.`, {
    errors: [{ field: 'slug', message: 'This slug is already used by another post.' }],
  });

/**
 * Turns the requested status into what is stored: scheduled is "published" with a future time.
 * Publishing stamps the current time unless the post already went live earlier (republishing keeps its date).
 */
function resolvePublication(
  status: AuthorStatus,
  requestedAt: string | undefined,
  current: Pick<Post, 'publishedAt'> | undefined,
  now: string,
): Pick<Post, 'status' | 'publishedAt'> {
  if (status === 'draft') return { status: 'draft', publishedAt: requestedAt ?? current?.publishedAt ?? null };
  if (status === 'scheduled') {
    const at = requestedAt ?? current?.publishedAt;
    if (!at || at <= now) throw fieldError('publishedAt', 'Choose a time in the future to schedule the post.');
    return { status: 'published', publishedAt: at };
  }
  const earlier = current?.publishedAt && current.publishedAt <= now ? current.publishedAt : undefined;
  return { status: 'published', publishedAt: requestedAt ?? earlier ?? now };
}

/**
 * Replaces a post's tags, creating tags that do not exist yet. Names are matched by their slug
 * (derived from the name, or given as is by an import, so tag URLs survive a move).
 */
export async function setPostTags(tx: Tx, postId: number, names: (string | TagRef)[]): Promise<void> {
  const wanted = new Map<string, string>();
  for (const tag of names) {
    const { slug, name } = typeof tag === 'string' ? { slug: slugify(tag), name: tag } : tag;
    if (!wanted.has(slug)) wanted.set(slug, name);
  }
  await tx.delete(postTags).where(eq(postTags.postId, postId));
  if (wanted.size === 0) return;
  await tx
    .insert(tags)
    .values([...wanted].map(([slug, name]) => ({ slug, name })))
    .onConflictDoNothing();
  const rows = await tx
    .select({ id: tags.id, slug: tags.slug })
    .from(tags)
    .where(inArray(tags.slug, [...wanted.keys()]));
  const ids = new Map(rows.map((t) => [t.slug, t.id]));
  await tx.insert(postTags).values([...wanted.keys()].map((slug, position) => ({ postId, tagId: ids.get(slug)!, position })));
}

/** Reading time in whole minutes, at about 230 words a minute. */
export const readingMinutes = (wordCount: number) => Math.max(1, Math.round(wordCount / 230));

/** Words in a post's plain text (see renderPost). */
export const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * What a write stores of the summary. An empty one follows the text: the automatic summary of the
 * body (lib/render/markdown-pipeline.ts), taken again at every save that changes the body. Any other
 * is the author's and stays as written. A summary sent back as it was given (a client returning the
 * post it read, as the editor does) changes nothing, so an automatic one keeps following the text.
 */
function summaryFields(
  requested: string | undefined,
  current: Pick<Post, 'summary' | 'summaryAutomatic'> | undefined,
  derived: string | undefined,
): Partial<Pick<Post, 'summary' | 'summaryAutomatic'>> {
  const unchanged = requested === undefined || (current?.summaryAutomatic && requested === current.summary);
  const automatic = unchanged && current ? current.summaryAutomatic : !requested;
  if (!automatic) return unchanged ? {} : { summary: requested, summaryAutomatic: false };
  return derived === undefined ? { summaryAutomatic: true } : { summary: derived, summaryAutomatic: true };
}

export async function createPost(input: PostCreateInput): Promise<AuthorPost> {
  const { html, text, summary } = await renderPost(input.body);
  const now = new Date().toISOString();
  try {
    const id = await transaction(async (tx) => {
      if (input.slug && (await postExists(input.slug))) throw slugConflict(input.slug);
      const { tags: tagNames, ...fields } = input;
      const words = slugWords(input.title);
      const [created] = await tx
        .insert(posts)
        .values({
          ...fields,
          ...resolvePublication(input.status, input.publishedAt, undefined, now),
          // A title without slug words gets its id as its slug, once the id exists (see postSlugFallback).
          slug: input.slug ?? (words ? await uniqueSlug(words) : `pending-${randomUUID()}`),
          ...summaryFields(input.summary, undefined, summary),
          html,
          wordCount: countWords(text),
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: posts.id });
      const { id } = created!;
      if (!input.slug && !words)
        await tx
          .update(posts)
          .set({ slug: await uniqueSlug(postSlugFallback(id)) })
          .where(eq(posts.id, id));
      if (tagNames) await setPostTags(tx, id, tagNames);
      await indexPost(id, text);
      return id;
    });
    expire(cacheTags.content);
    publicationScheduleChanged();
    return (await getPostById(id))!;
  } catch (error) {
    // Two writers can still race for a slug past the check; the UNIQUE constraint means the same.
    if (isUniqueViolation(error)) throw slugConflict(input.slug ?? slugify(input.title));
    throw error;
  }
}

export async function updatePost(slug: string, patch: PostUpdateInput): Promise<AuthorPost> {
  // A summary cleared without a new body goes back to following the text it has.
  const body = patch.body ?? (patch.summary === '' ? await getBody(slug) : undefined);
  const rendered = body === undefined ? undefined : await renderPost(body);
  try {
    const id = await transaction(async (tx) => {
      const [current] = await tx.select().from(posts).where(eq(posts.slug, slug));
      if (!current) throw notFound('Post');
      // A fallback slug is the server's to give: sent back (the editor sends the slug it was given), it is no choice.
      const { tags: tagNames, status, publishedAt, slug: requested, ...fields } = patch;
      const chosen = requested && !isPostSlugFallback(requested, current.id) ? requested : undefined;
      if (chosen && chosen !== current.slug && (await postExists(chosen, current.id))) throw slugConflict(chosen);
      const newSlug = chosen ?? (await slugForRetitledDraft(current, patch.title));
      const now = new Date().toISOString();
      const publication =
        status !== undefined || publishedAt !== undefined
          ? resolvePublication(status ?? (current.status === 'draft' ? 'draft' : 'published'), publishedAt, current, now)
          : {};
      await tx
        .update(posts)
        .set({
          ...fields,
          ...(newSlug && { slug: newSlug }),
          ...publication,
          ...(patch.body !== undefined && rendered && { html: rendered.html, wordCount: countWords(rendered.text) }),
          ...summaryFields(patch.summary, current, rendered?.summary),
          updatedAt: now,
        })
        .where(eq(posts.id, current.id));
      if (tagNames) await setPostTags(tx, current.id, tagNames);
      await indexPost(current.id, patch.body === undefined ? undefined : rendered?.text);
      return current.id;
    });
    expire(cacheTags.content);
    publicationScheduleChanged();
    return (await getPostById(id))!;
  } catch (error) {
    if (isUniqueViolation(error)) throw slugConflict(patch.slug ?? slug);
    throw error;
  }
}

async function getBody(slug: string): Promise<string | undefined> {
  const [row] = await getDb().select({ body: posts.body }).from(posts).where(eq(posts.slug, slug));
  return row?.body;
}

export async function deletePost(slug: string): Promise<void> {
  const deleted = await transaction((tx) => tx.delete(posts).where(eq(posts.slug, slug)).returning({ id: posts.id }));
  if (deleted.length === 0) throw notFound('Post');
  expire(cacheTags.content);
  publicationScheduleChanged();
}
