import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { CommentForm } from '@/components/comment-form';
import { CommentThread } from '@/components/comment-thread';
import { type CommentNode, commentsAreOpen, getCommentTree, getOwnCommentSources } from '@/lib/comments';
import { formatDate, pluralize } from '@/lib/format';
import { getPublishedPost } from '@/lib/posts';
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
    alternates: { canonical: url },
    openGraph: {
      type: 'article',
      title: post.title,
      description: post.summary,
      url,
      publishedTime: post.publishedAt,
      modifiedTime: post.updatedAt,
    },
    twitter: { card: 'summary', title: post.title, description: post.summary },
  };
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

  return (
    <>
      <article className="post">
        <header className="page-header">
          <h1>{post.title}</h1>
          <p className="meta">
            <time dateTime={post.publishedAt}>{formatDate(post.publishedAt)}</time>
            <span aria-hidden="true"> · </span>
            <a href="#comments">{pluralize(post.commentCount, 'comment')}</a>
          </p>
        </header>
        <div className="prose" dangerouslySetInnerHTML={{ __html: post.html }} />
      </article>

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
