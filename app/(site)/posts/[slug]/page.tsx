import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { CommentForm } from '@/components/comment-form';
import { CommentThread } from '@/components/comment-thread';
import { type CommentNode, commentsAreOpen, getCommentTree, getOwnCommentSources } from '@/lib/comments';
import { formatDate, pluralize } from '@/lib/format';
import { getEnv } from '@/lib/env';
import { type PublishedPost, getAdjacentPosts, getPublishedPost, readingMinutes } from '@/lib/posts';
import { alternates, jsonLd } from '@/lib/seo';
import { absoluteUrl } from '@/lib/site';
import { TagList } from '@/components/tag-list';
import { EDIT_COOKIE, editableIds, issueFormToken } from '@/lib/moderation';
import { postPath } from '@/lib/site';

type Props = {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

// generateMetadata and the page share one database read per request.
const loadPost = cache((slug: string) => getPublishedPost(slug));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const post = loadPost((await params).slug);
  if (!post) return {};
  const url = postPath(post.slug);
  return {
    title: post.title,
    description: post.summary,
    alternates: alternates(url),
    openGraph: {
      type: 'article',
      title: post.title,
      description: post.summary,
      url,
      publishedTime: post.publishedAt,
      modifiedTime: post.updatedAt,
      tags: post.tags.map((tag) => tag.name),
    },
    twitter: { card: 'summary_large_image', title: post.title, description: post.summary },
  };
}

/** schema.org data for search engines: the article itself and where it sits in the site. */
function structuredData(post: PublishedPost) {
  const { SITE_NAME } = getEnv();
  return [
    {
      '@context': 'https://schema.org',
      '@type': 'BlogPosting',
      headline: post.title,
      description: post.summary,
      url: post.url,
      mainEntityOfPage: post.url,
      datePublished: post.publishedAt,
      dateModified: post.updatedAt,
      author: { '@type': 'Person', name: getEnv().SITE_AUTHOR ?? SITE_NAME },
      publisher: { '@type': 'Organization', name: SITE_NAME, url: absoluteUrl('/') },
      keywords: post.tags.map((tag) => tag.name).join(', '),
      wordCount: post.wordCount,
      commentCount: post.commentCount,
    },
    {
      '@context': 'https://schema.org',
      '@type': 'BreadcrumbList',
      itemListElement: [
        { '@type': 'ListItem', position: 1, name: SITE_NAME, item: absoluteUrl('/') },
        { '@type': 'ListItem', position: 2, name: post.title, item: post.url },
      ],
    },
  ];
}

function findComment(nodes: CommentNode[], id: number): CommentNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const found = findComment(node.replies, id);
    if (found) return found;
  }
  return undefined;
}

export default async function PostPage({ params, searchParams }: Props) {
  const post = loadPost((await params).slug);
  if (!post) notFound();
  const query = await searchParams;
  const comments = getCommentTree(post.id);
  const replyTo = typeof query.replyTo === 'string' ? findComment(comments, Number(query.replyTo)) : undefined;
  const invalidFields = typeof query.invalid === 'string' ? query.invalid.split(',') : [];
  const open = commentsAreOpen(post);
  const editable = getOwnCommentSources(editableIds((await cookies()).get(EDIT_COOKIE)?.value));

  const { previous, next } = getAdjacentPosts(post);

  return (
    <>
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonLd(structuredData(post)) }} />
      <article className="post">
        <header className="page-header">
          <h1>{post.title}</h1>
          <p className="meta">
            <time dateTime={post.publishedAt}>{formatDate(post.publishedAt)}</time>
            <span aria-hidden="true"> · </span>
            {readingMinutes(post.wordCount)} min read
            <span aria-hidden="true"> · </span>
            <a href="#comments">{pluralize(post.commentCount, 'comment')}</a>
          </p>
          <TagList tags={post.tags} />
        </header>
        <div className="prose" dangerouslySetInnerHTML={{ __html: post.html }} />
      </article>
      {(previous || next) && (
        <nav className="post-nav" aria-label="More posts">
          {previous ? (
            <Link href={postPath(previous.slug)} rel="prev">
              <span className="post-nav-label">← Previous post</span> {previous.title}
            </Link>
          ) : (
            <span />
          )}
          {next && (
            <Link href={postPath(next.slug)} rel="next" className="post-nav-next">
              <span className="post-nav-label">Next post →</span> {next.title}
            </Link>
          )}
        </nav>
      )}

      <section id="comments" className="comments" aria-labelledby="comments-heading">
        <h2 id="comments-heading">{post.commentCount === 0 ? 'Comments' : pluralize(post.commentCount, 'comment')}</h2>
        {comments.length > 0 ? (
          <CommentThread comments={comments} slug={post.slug} editable={editable} canReply={open} />
        ) : (
          <p className="empty">No comments yet. Start the conversation.</p>
        )}
        {open ? (
          <CommentForm
            slug={post.slug}
            replyTo={replyTo ? { id: replyTo.id, authorName: replyTo.authorName } : undefined}
            invalidFields={invalidFields}
            held={query.held === '1'}
            formToken={issueFormToken()}
          />
        ) : (
          <p className="comments-closed">Comments are closed.</p>
        )}
      </section>
    </>
  );
}
