import Link from 'next/link';
import { AuthorEditLink } from '@/components/author-edit-link';
import { CommentFormHome } from '@/components/comment-form';
import { CommentSection } from '@/components/comment-section';
import { CommentThread } from '@/components/comment-thread';
import { OwnCommentsProvider } from '@/components/own-comments';
import { TagList } from '@/components/tag-list';
import { commentsAreOpen } from '@/lib/comments/reads';
import type { CommentNode, CreatedComment } from '@/lib/comments/schemas';
import { formatDate, formatDateTime, pluralize } from '@/lib/site/format';
import { issueFormToken } from '@/lib/comments/spam-policy';
import type { PostPageData } from '@/lib/pages/page-data';
import { readingMinutes } from '@/lib/content/posts';
import type { AuthorStatus, PublishedPost } from '@/lib/content/schemas';
import { jsonLd } from '@/lib/content/seo';
import { absoluteUrl } from '@/lib/site/absolute-url';
import { postPath } from '@/lib/site/paths';
import { getSiteIdentity } from '@/lib/site/identity';
import type { SiteIdentity } from '@/lib/site/schemas';

/** What a no-JavaScript comment post comes back with, from the query string. */
export interface FormState {
  replyTo?: string;
  invalid?: string;
  held?: string;
}

/** schema.org data for search engines: the article itself and where it sits in the site. */
function structuredData(post: PublishedPost, site: SiteIdentity) {
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
      author: { '@type': 'Person', name: site.authorName, ...(site.authorBio ? { description: site.authorBio } : {}) },
      publisher: {
        '@type': 'Organization',
        name: site.name,
        url: absoluteUrl('/'),
        ...(site.logo
          ? { logo: { '@type': 'ImageObject', url: absoluteUrl(site.logo.url), width: site.logo.width, height: site.logo.height } }
          : {}),
      },
      keywords: post.tags.map((tag) => tag.name).join(', '),
      wordCount: post.wordCount,
      commentCount: post.commentCount,
    },
    {
      '@context': 'https://schema.org',
      '@type': 'BreadcrumbList',
      itemListElement: [
        { '@type': 'ListItem', position: 1, name: site.name, item: absoluteUrl('/') },
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

/**
 * A post with its comments and the comment form. The cached page renders it without form state;
 * the form's no-JavaScript round trips (reply to, invalid fields, held notice) render it with.
 */
export async function PostView({
  data: { post, comments, previous, next },
  form = {},
  held,
  preview,
}: {
  data: PostPageData;
  form?: FormState;
  /** The reader's own comments awaiting moderation, on the page a no-JavaScript post comes back to. */
  held?: CreatedComment[];
  /** The author's preview of a post that is not live: said at the top; no comments, no structured data. */
  preview?: { status: Exclude<AuthorStatus, 'published'> };
}) {
  const replyTo = form.replyTo ? findComment(comments, Number(form.replyTo)) : undefined;
  const [open, site] = await Promise.all([commentsAreOpen(post), getSiteIdentity()]);
  const formToken = open ? await issueFormToken() : '';

  return (
    <>
      {preview ? (
        <p className="callout preview-notice" role="note">
          <strong>Preview.</strong>{' '}
          {preview.status === 'draft'
            ? 'This draft is not published: only signed-in authors can see this page.'
            : `This post is scheduled for ${formatDateTime(post.publishedAt, site.timeZone)}: only signed-in authors can see it until then.`}{' '}
          <a href={`/admin/posts/${post.id}`}>Back to the editor</a>
        </p>
      ) : (
        <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonLd(structuredData(post, site)) }} />
      )}
      <article className="post">
        <header className="page-header">
          <h1>{post.title}</h1>
          <p className="meta">
            <span className="byline">By {site.authorName}</span>
            <span aria-hidden="true"> · </span>
            <time dateTime={post.publishedAt}>{formatDate(post.publishedAt, site.timeZone)}</time>
            <span aria-hidden="true"> · </span>
            {readingMinutes(post.wordCount)} min read
            {!preview && (
              <>
                <span aria-hidden="true"> · </span>
                <a href="#comments">{pluralize(post.commentCount, 'comment')}</a>
              </>
            )}
          </p>
          <TagList tags={post.tags} />
          {!preview && <AuthorEditLink postId={post.id} title={post.title} />}
        </header>
        <div className="prose" dangerouslySetInnerHTML={{ __html: post.html }} />
        {site.authorBio && (
          <footer className="author-bio">
            <p>
              <strong>{site.authorName}</strong> {site.authorBio}
            </p>
          </footer>
        )}
      </article>
      {(previous || next) && (
        <nav className="post-nav" aria-label="More posts">
          {previous ? (
            <Link href={postPath(previous.slug)} rel="prev" prefetch={false}>
              <span className="post-nav-label">← Previous post</span> {previous.title}
            </Link>
          ) : (
            <span />
          )}
          {next && (
            <Link href={postPath(next.slug)} rel="next" className="post-nav-next" prefetch={false}>
              <span className="post-nav-label">Next post →</span> {next.title}
            </Link>
          )}
        </nav>
      )}

      {!preview && (
        <section id="comments" className="comments" aria-labelledby="comments-heading">
          {/* Focus lands here when a reader deletes a comment that has none before it. */}
          <h2 id="comments-heading" tabIndex={-1}>
            {post.commentCount === 0 ? 'Comments' : pluralize(post.commentCount, 'comment')}
          </h2>
          <OwnCommentsProvider slug={post.slug} revision={post.commentCount} initialHeld={held}>
            <CommentSection
              form={
                open
                  ? {
                      slug: post.slug,
                      formToken,
                      replyTo: replyTo ? { id: replyTo.id, authorName: replyTo.authorName } : undefined,
                      invalidFields: form.invalid ? form.invalid.split(',') : [],
                      held: form.held === '1',
                    }
                  : null
              }
            >
              {comments.length === 0 && <p className="empty">No comments yet. Start the conversation.</p>}
              {/* Even when empty: the reader's own comment, held for approval, is still shown to them. */}
              <CommentThread comments={comments} slug={post.slug} canReply={open} timeZone={site.timeZone} />
              {open ? <CommentFormHome /> : <p className="comments-closed">Comments are closed.</p>}
            </CommentSection>
          </OwnCommentsProvider>
        </section>
      )}
    </>
  );
}
