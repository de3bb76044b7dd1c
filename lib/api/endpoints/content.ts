import { endpoint } from '@/lib/api/endpoint';
import { slugOf } from '@/lib/api/endpoints/params';
import { WRITE_PROBLEMS, problems } from '@/lib/api/problems';
import {
  POST_BODY_MAX_BYTES,
  authorPostPageSchema,
  authorPostSchema,
  authorPostsQuerySchema,
  postCreateSchema,
  postListQuerySchema,
  postPageSchema,
  postUpdateSchema,
  previewResultSchema,
  previewSchema,
  publishedPostSchema,
  searchPageSchema,
  searchQuerySchema,
  slugAvailabilitySchema,
  slugCheckQuerySchema,
  tagListSchema,
} from '@/lib/content/schemas';
import { tags as cacheTags } from '@/lib/cache';
import {
  createPost,
  deletePost,
  getPublishedPost,
  listPostsForAuthor,
  listPublishedPosts,
  postExists,
  updatePost,
} from '@/lib/content/posts';
import { searchPosts } from '@/lib/content/search';
import { listTags } from '@/lib/content/tags';
import { notFound } from '@/lib/errors';
import { cachedJson, json, jsonLimitForText, noContent } from '@/lib/http';
import { renderPostMarkdown } from '@/lib/render/markdown';

/* Posts, tags and search: what readers read, and the author's writing desk. */

/** What carries a post's text (a save, a preview) may be as long as the text may be, and no longer. */
const POST_REQUEST_LIMIT = jsonLimitForText(POST_BODY_MAX_BYTES);

export const postsEndpoint = endpoint('/api/posts')
  .get({
    summary: 'List published posts',
    description: 'Newest first, keyset-paginated. `tag` keeps the posts of one tag.',
    access: 'public',
    cached: true,
    query: postListQuerySchema,
    responses: { 200: { description: 'A page of posts', schema: postPageSchema }, ...problems(400) },
    handler: ({ request, query }) =>
      cachedJson(request, { key: ['posts', query.limit, query.cursor ?? null, query.tag ?? null], tags: [] }, () =>
        listPublishedPosts(query),
      ),
  })
  .post({
    summary: 'Create a post',
    access: 'author',
    body: postCreateSchema,
    bodyLimit: POST_REQUEST_LIMIT,
    responses: {
      201: { description: 'Created', schema: authorPostSchema, headers: ['Location'] },
      ...problems(...WRITE_PROBLEMS, 409),
    },
    handler: async ({ body }) => {
      const post = await createPost(await body());
      return json(post, { status: 201, headers: { Location: `/api/posts/${post.slug}` } });
    },
  });

export const postEndpoint = endpoint('/api/posts/{slug}', { slug: slugOf('Post') })
  .get({
    summary: 'Get a published post',
    access: 'public',
    cached: true,
    responses: { 200: { description: 'The post with its HTML', schema: publishedPostSchema }, ...problems(404) },
    handler: ({ request, params: { slug } }) =>
      cachedJson(request, { key: ['post', slug], tags: [cacheTags.post(slug)] }, async () => {
        const post = await getPublishedPost(slug);
        if (!post) throw notFound('Post');
        return post;
      }),
  })
  .patch({
    summary: 'Change a post',
    description: 'Send only the fields to change. Status `scheduled` needs a future `publishedAt`.',
    access: 'author',
    body: postUpdateSchema,
    bodyLimit: POST_REQUEST_LIMIT,
    responses: { 200: { description: 'The changed post', schema: authorPostSchema }, ...problems(...WRITE_PROBLEMS, 404, 409) },
    handler: async ({ params, body }) => json(await updatePost(params.slug, await body())),
  })
  .delete({
    summary: 'Delete a post and its comments',
    access: 'author',
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
    handler: async ({ params }) => {
      await deletePost(params.slug);
      return noContent();
    },
  });

export const tagsEndpoint = endpoint('/api/tags').get({
  summary: 'List tags with published posts',
  description: 'A blog has few enough tags that one page holds them all.',
  access: 'public',
  cached: true,
  responses: { 200: { description: 'Every tag', schema: tagListSchema } },
  handler: ({ request }) => cachedJson(request, { key: ['tags'], tags: [] }, async () => ({ data: await listTags(), nextCursor: null })),
});

export const searchEndpoint = endpoint('/api/search').get({
  summary: 'Search published posts',
  description:
    'Full text, best matches first. Words match as prefixes, "quoted phrases" exactly, and -word excludes. Any text is a valid query.',
  access: 'public',
  cached: true,
  query: searchQuerySchema,
  responses: { 200: { description: 'Matching posts with snippets', schema: searchPageSchema }, ...problems(400) },
  handler: ({ request, query: { q, ...page } }) =>
    cachedJson(request, { key: ['search', q, page.limit, page.cursor ?? null], tags: [] }, () => searchPosts(q, page)),
});

export const authorPostsEndpoint = endpoint('/api/admin/posts').get({
  summary: 'List all posts, drafts included',
  description: 'Most recently edited first; `status` keeps one kind, `q` searches their words.',
  access: 'author',
  query: authorPostsQuerySchema,
  responses: { 200: { description: 'A page of posts', schema: authorPostPageSchema }, ...problems(400, 401) },
  handler: async ({ query }) => json(await listPostsForAuthor(query)),
});

export const slugCheckEndpoint = endpoint('/api/admin/slugs').get({
  summary: 'Check whether a slug is free',
  description: 'For the editor to say so before saving.',
  access: 'author',
  query: slugCheckQuerySchema,
  responses: { 200: { description: 'Availability', schema: slugAvailabilitySchema }, ...problems(400, 401) },
  handler: async ({ query: { slug, exceptId } }) => json({ slug, available: !(await postExists(slug, exceptId)) }),
});

export const previewEndpoint = endpoint('/api/admin/preview').post({
  summary: 'Render Markdown as a post would be',
  description: "The editor's live preview: the same renderer and sanitiser as a saved post.",
  access: 'author',
  body: previewSchema,
  bodyLimit: POST_REQUEST_LIMIT,
  responses: { 200: { description: 'Sanitised HTML', schema: previewResultSchema }, ...problems(...WRITE_PROBLEMS) },
  handler: async ({ body }) => json({ html: await renderPostMarkdown((await body()).body) }),
});
