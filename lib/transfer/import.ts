import { count, eq, getTableName } from 'drizzle-orm';
import { type Tx, syncIdSequences, transaction } from '@/db';
import { apiTokens, comments, posts, settings, siteAssets, tags, users } from '@/db/schema';
import { expire, tags as cacheTags } from '@/lib/cache';
import { AppError } from '@/lib/errors';
import { renderImportedAsset } from '@/lib/site/assets';
import { renderAcceptedComment, renderPost } from '@/lib/render/markdown';
import { countWords, setPostTags } from '@/lib/content/posts';
import { indexPost } from '@/lib/content/search';
import {
  type ExportedComment,
  type ExportedPost,
  type FullExport,
  type ParsedExport,
  type SectionCounts,
  isFull,
  listed,
  parseExport,
  sectionCounts,
} from '@/lib/transfer/format';

/*
 * Reads a file in the export format (format.ts) into the database, all or nothing: renders what
 * the file leaves out (HTML, word counts, the site's images) first, then inserts in one transaction.
 */

export interface ImportResult {
  posts: number;
  comments: number;
  /** Posts that existed here with the same slug and were replaced (with `replace` only). */
  replaced: number;
  /** Comments by the blog's author for which this blog has no account with the same email: imported without the "Author" mark. */
  unlinkedAuthorComments: number;
  /** A full export: the rows of its other sections, imported as they are. */
  full?: SectionCounts;
}

/** Rows inserted per statement: far below either database's limit on parameters. */
const INSERT_CHUNK = 500;

const counted = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

/** Every id a full import keeps must be free, so it goes into a blog with no posts, accounts or tags. */
async function refuseUnlessEmpty(tx: Tx): Promise<void> {
  const rows = async (table: typeof posts | typeof users | typeof tags) => (await tx.select({ n: count() }).from(table))[0]!.n;
  const held: [number, string][] = [
    [await rows(posts), 'post'],
    [await rows(users), 'account'],
    [await rows(tags), 'tag'],
  ];
  const found = held.filter(([n]) => n > 0).map(([n, noun]) => counted(n, noun));
  if (found.length === 0) return;
  const has = found.length === 1 ? found[0] : `${found.slice(0, -1).join(', ')} and ${found.at(-1)}`;
  throw new AppError(
    'conflict',
    `A full export goes into a new, empty blog, where every row keeps its id, and this one has ${has}. ` +
      'Import it into a new database: a new file in DATABASE_PATH, or a newly created PostgreSQL database in DATABASE_URL.',
  );
}

type AssetRow = Awaited<ReturnType<typeof renderImportedAsset>>;

/** The rows of a full export's sections, with their ids; settings and images replace what a new blog made of its own. */
async function insertFullSections(tx: Tx, doc: FullExport, assetRows: AssetRow[]): Promise<void> {
  for (let i = 0; i < doc.users.length; i += INSERT_CHUNK) await tx.insert(users).values(doc.users.slice(i, i + INSERT_CHUNK));
  for (let i = 0; i < doc.apiTokens.length; i += INSERT_CHUNK) await tx.insert(apiTokens).values(doc.apiTokens.slice(i, i + INSERT_CHUNK));
  for (let i = 0; i < doc.tags.length; i += INSERT_CHUNK) await tx.insert(tags).values(doc.tags.slice(i, i + INSERT_CHUNK));
  // A new blog that has run once has a signing secret of its own, and a setup token's hash.
  for (const { key, value, updatedAt } of doc.settings) {
    await tx.insert(settings).values({ key, value, updatedAt }).onConflictDoUpdate({ target: settings.key, set: { value, updatedAt } });
  }
  for (const { name, ...row } of assetRows) {
    await tx
      .insert(siteAssets)
      .values({ name, ...row })
      .onConflictDoUpdate({ target: siteAssets.name, set: row });
  }
}

/** The site's images of a full export, through the uploads' pipeline: an edited file can hold any bytes under any type. */
async function renderSiteAssets(doc: FullExport): Promise<AssetRow[]> {
  const assetRows: AssetRow[] = [];
  for (const [i, { name, data, updatedAt }] of doc.siteAssets.entries()) {
    assetRows.push(await renderImportedAsset(name, Buffer.from(data, 'base64'), updatedAt, `siteAssets[${i}].data`));
  }
  return assetRows;
}

interface RenderedPost {
  html: string;
  text: string;
  summary: string;
  wordCount: number;
  /** Each comment's HTML, in the post's order. */
  comments: string[];
}

/** Rendering is the slow part; done before the transaction, the write lock is held only for the inserts. */
async function renderPosts(doc: ParsedExport): Promise<RenderedPost[]> {
  const rendered: RenderedPost[] = [];
  for (const post of doc.posts) {
    const { html, text, summary } = await renderPost(post.body);
    const comments: string[] = [];
    // Never refused: a comment this blog accepted under other limits must not stop the import (see renderAcceptedComment).
    for (const comment of post.comments) comments.push(await renderAcceptedComment(comment.body));
    rendered.push({ html, text, summary, wordCount: countWords(text), comments });
  }
  return rendered;
}

/**
 * Posts of the file whose slug is taken here stop the import, or with `replace` are deleted (with
 * their comments) to make room; returns how many were.
 */
async function clearTakenSlugs(tx: Tx, doc: ParsedExport, replace: boolean): Promise<number> {
  const taken = new Set((await tx.select({ slug: posts.slug }).from(posts)).map((row) => row.slug));
  const conflicts = doc.posts.flatMap((post, index) => (taken.has(post.slug) ? [{ slug: post.slug, index }] : []));
  if (conflicts.length > 0 && !replace) {
    const some = conflicts.length === 1 ? '1 post in the file already exists' : `${conflicts.length} posts in the file already exist`;
    throw new AppError('conflict', `${some} here: ${listed(conflicts.map((c) => c.slug))}.`, {
      errors: conflicts.map(({ slug, index }) => ({
        field: `posts[${index}].slug`,
        message: `A post with the slug "${slug}" already exists.`,
      })),
    });
  }
  for (const { slug } of conflicts) await tx.delete(posts).where(eq(posts.slug, slug));
  return conflicts.length;
}

/** Inserts a post with its rendered HTML and its tags; returns its id here (the file's own in a full import). */
async function insertPost(tx: Tx, post: Omit<ExportedPost, 'comments'>, rendered: RenderedPost, full: boolean): Promise<number> {
  const { id: fileId, tags: postTags, status, summaryAutomatic, ...fields } = post;
  // An automatic summary is taken from the text again, as a save here would.
  const automatic = summaryAutomatic ?? fields.summary === '';
  const [inserted] = await tx
    .insert(posts)
    .values({
      ...(full ? { id: fileId } : {}),
      ...fields,
      ...(automatic && { summary: rendered.summary }),
      summaryAutomatic: automatic,
      status: status === 'draft' ? 'draft' : 'published',
      html: rendered.html,
      wordCount: rendered.wordCount,
    })
    .returning({ id: posts.id });
  await setPostTags(tx, inserted!.id, postTags);
  return inserted!.id;
}

/**
 * Inserts a post's comments, parents first: a reply is inserted once the comment it answers has
 * its id here. `authorOf` gives the account a comment is marked as the author's by (or null).
 * Returns how many comments by the author found no account.
 */
async function insertComments(
  tx: Tx,
  postId: number,
  postComments: ExportedComment[],
  html: string[],
  full: boolean,
  authorOf: (comment: ExportedComment) => number | null,
): Promise<number> {
  const newIds = new Map<number, number>();
  let unlinkedAuthorComments = 0;
  let waiting = postComments.map((comment, c) => ({ comment, html: html[c]! }));
  while (waiting.length > 0) {
    const later: typeof waiting = [];
    for (const item of waiting) {
      // The file's authorUserId, if any, gives way to authorOf's.
      const { id, parentId, byAuthor, commenterKey, ...comment } = item.comment;
      if (parentId !== null && !newIds.has(parentId)) {
        later.push(item);
        continue;
      }
      const authorUserId = authorOf(item.comment);
      if (byAuthor && authorUserId === null) unlinkedAuthorComments++;
      const [created] = await tx
        .insert(comments)
        .values({
          ...(full ? { id, commenterKey: commenterKey ?? null } : {}),
          ...comment,
          postId,
          parentId: parentId === null ? null : newIds.get(parentId)!,
          authorUserId,
          html: item.html,
        })
        .returning({ id: comments.id });
      newIds.set(id, created!.id);
    }
    // parseExport rules out loops and foreign parents, so every round places at least one comment.
    if (later.length === waiting.length) throw new Error('Unreachable: comment parents form a loop.');
    waiting = later;
  }
  return unlinkedAuthorComments;
}

/**
 * Adds every post and comment of an export, all or nothing, in one transaction. Slugs, dates,
 * statuses, tags and reply threads are kept; HTML is rendered and search-indexed as the editor
 * would. A slug that exists here stops the import, unless `replace` is set: then the existing
 * post (and its comments) is replaced by the one in the file. Comments by the blog's author keep
 * their mark when an account with the same email exists here.
 *
 * A full export goes into an empty blog only and keeps every id (posts, comments, tags, accounts,
 * tokens), with the settings and images; on PostgreSQL the id sequences then move past them.
 */
export async function importData(input: unknown, { replace = false }: { replace?: boolean } = {}): Promise<ImportResult> {
  const doc = parseExport(input);
  const full = isFull(doc);
  if (full && replace) {
    throw new AppError(
      'bad_request',
      'A full export goes into a new, empty blog only, so it replaces nothing: import it without --replace.',
    );
  }
  const assetRows = full ? await renderSiteAssets(doc) : [];
  const rendered = await renderPosts(doc);

  const result = await transaction(async (tx) => {
    let replaced = 0;
    if (full) {
      await refuseUnlessEmpty(tx);
      await insertFullSections(tx, doc, assetRows);
    } else {
      replaced = await clearTakenSlugs(tx, doc, replace);
    }

    const accounts = new Map((await tx.select({ id: users.id, email: users.email }).from(users)).map((user) => [user.email, user.id]));
    // A full export names the account; otherwise the mark goes to the account here with the same email.
    const authorOf = (comment: ExportedComment) =>
      full ? (comment.authorUserId ?? null) : comment.byAuthor ? (accounts.get(comment.authorEmail ?? '') ?? null) : null;
    let commentCount = 0;
    let unlinkedAuthorComments = 0;
    for (const [p, { comments: postComments, ...post }] of doc.posts.entries()) {
      const postId = await insertPost(tx, post, rendered[p]!, full);
      unlinkedAuthorComments += await insertComments(tx, postId, postComments, rendered[p]!.comments, full, authorOf);
      commentCount += postComments.length;
      await indexPost(postId, rendered[p]!.text);
    }
    // Before the commit, so that no row written after it draws an id the import took.
    if (full) await syncIdSequences([users, apiTokens, tags, posts, comments].map((table) => getTableName(table)));
    return {
      posts: doc.posts.length,
      comments: commentCount,
      replaced,
      unlinkedAuthorComments,
      ...(full ? { full: sectionCounts(doc) } : {}),
    };
  });
  expire(cacheTags.content);
  return result;
}
