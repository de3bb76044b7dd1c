import 'server-only';
import { cached, tags as cacheTags } from '@/lib/cache';
import { getCommentTree } from '@/lib/comments/reads';
import type { CommentNode } from '@/lib/comments/schemas';
import { getAdjacentPosts, getPublishedPost, listPublishedPosts } from '@/lib/content/posts';
import type { PostListQuery, PublishedPost } from '@/lib/content/schemas';
import { isSlug } from '@/lib/slug';
import { getTag, listTags } from '@/lib/content/tags';

/*
 * What the public pages show, read through the cache. The tags mark the pages that use them, so
 * a write expires exactly the pages showing what it changed (see lib/cache.ts). Above content and
 * comments, as a post's page holds both.
 */

export interface PostPageData {
  post: PublishedPost;
  comments: CommentNode[];
  previous?: { slug: string; title: string };
  next?: { slug: string; title: string };
}

/** A post with its approved comments and its neighbours, or null when there is no such live post. */
export const loadPostPage = async (slug: string): Promise<PostPageData | null> =>
  !isSlug(slug)
    ? null
    : cached(['post-page', slug], [cacheTags.post(slug)], async () => {
        const post = await getPublishedPost(slug);
        if (!post) return null;
        const [comments, adjacent] = await Promise.all([getCommentTree(post.id), getAdjacentPosts(post)]);
        return { post, comments, ...adjacent };
      });

/** A page of live posts, newest first; throws AppError for a cursor that names no page. */
export const loadPostList = (query: PostListQuery) =>
  cached(['post-list', query.limit, query.cursor ?? null, query.tag ?? null], [], () => listPublishedPosts(query));

export const loadTags = () => cached(['tags'], [], () => listTags());

export const loadTag = async (slug: string) => (!isSlug(slug) ? null : cached(['tag', slug], [], async () => (await getTag(slug)) ?? null));
