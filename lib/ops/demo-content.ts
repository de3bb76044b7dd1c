import { eq } from 'drizzle-orm';
import { transaction } from '@/db';
import { comments, posts } from '@/db/schema';
import { createComment } from '@/lib/comments/submission';
import { createPost, postExists } from '@/lib/content/posts';
import { slugify } from '@/lib/slug';

interface DemoPost {
  title: string;
  summary: string;
  body: string;
  daysAgo: number | null;
  tags: string[];
  comments?: { authorName: string; body: string; replies?: { authorName: string; body: string }[] }[];
}

const DEMO_POSTS: DemoPost[] = [
  {
    title: 'Welcome to Quire',
    summary: 'What Quire is, and the five minutes that make this blog your own.',
    daysAgo: 1,
    tags: ['Quire', 'Getting started'],
    body: `Quire is a small, fast blog engine. Posts and comments live in **one SQLite file**, pages are rendered on the server, and everything a reader needs works without JavaScript.

## Making it yours

1. **Create your account.** Open [the admin area](/admin). The first time, it asks for the one-time setup token that the server printed when it started, then your name, email and a password.
2. **Name the blog.** On the **Site** page, give it a name, a description, your display name and a short bio, a logo and an icon, an accent colour, the header's links and your time zone.
3. **Write.** **Posts → New post** opens the editor: Markdown with a live preview, tags, and a draft that saves itself as you type. Preview it on the real site, publish it now, or schedule it for later.
4. **Tidy up.** These demo posts are there to show what Quire does; delete them from the posts list whenever you like.

## When readers arrive

Comments appear under each post, and the **Comments** page is your moderation queue: approve, unapprove, mark as spam, edit a typo or reply as the author. Spam checks and the moderation policy live under **Settings**.

## For scripts and other tools

Everything the admin area does goes through a [documented JSON API](/api/docs). Create a token under **API tokens** and send it as a bearer token:

\`\`\`sh
curl -X POST https://blog.example.com/api/posts \\
  -H "Authorization: Bearer $QUIRE_TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{"title":"Hello, world","body":"My *first* post.","status":"published"}'
\`\`\`

The guides in the repository’s docs folder cover running Quire in production, backups, export and import.`,
    comments: [
      {
        authorName: 'Ada Lovelace',
        body: 'Lovely to see a blog engine that still works with JavaScript turned off. Is there a way to import posts from elsewhere?',
        replies: [
          {
            authorName: 'Quire team',
            body: 'Yes: export and import move a whole blog as one JSON file, comments included (`npm run export`, then `npm run import`; docs/operations.md in the repository has the details).',
          },
          { authorName: 'Ada Lovelace', body: 'One file out, one file in. Moved in before my tea went cold. Thanks!' },
        ],
      },
      { authorName: 'Grace Hopper', body: 'One file on disk to back up. That is the feature.' },
    ],
  },
  {
    title: 'Why SQLite is enough for your blog',
    summary: 'A blog is read far more often than it is written. That is exactly the workload SQLite is best at.',
    daysAgo: 8,
    tags: ['SQLite', 'Performance'],
    body: `A blog has one writer and many readers. SQLite in **WAL mode** lets readers carry on while a write commits, and a single indexed query answers in microseconds.

## What you get

- No database server to install, secure or upgrade.
- Backups are a copy of one file (use the online backup API while the server runs).
- Migrations ship with the code and run on start.

## What you give up

Horizontal scaling across many machines. If your blog needs more than one server to keep up, congratulations: you are the exception.

> The best database is the one you do not have to think about.

Further reading: [Appropriate Uses For SQLite](https://www.sqlite.org/whentouse.html).`,
    comments: [{ authorName: 'Edsger', body: 'How does it cope with two writers at once, say a comment and an edit?' }],
  },
  {
    title: 'Writing posts in Markdown',
    summary: 'Headings, lists, code blocks, tables and links: a tour of the Markdown that Quire understands.',
    daysAgo: 15,
    tags: ['Writing', 'Markdown'],
    body: `Quire posts are written in [GitHub-flavoured Markdown](https://github.github.com/gfm/). The Markdown is turned into HTML **once**, when you save, and sanitised so nothing in a post can run a script.

## Lists

- Bullet lists
- *Emphasis* and **strong** text
- ~~Strikethrough~~

1. Numbered lists
2. Task lists:
   - [x] Write the post
   - [ ] Publish it

## Code

Name the language after the opening fence and the code is highlighted when you save, in light and dark mode, without any script in the page:

\`\`\`ts
export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
\`\`\`

\`\`\`css
.post a:hover {
  text-decoration-thickness: 2px;
}
\`\`\`

Inline code, like \`npm start\`, is set in the monospace font.

## Tables

| Feature  | Supported |
| -------- | --------- |
| Tables   | yes       |
| Raw HTML | no        |`,
  },
  {
    title: 'Comments without JavaScript',
    summary: 'The comment form is a plain HTML form that JavaScript improves, rather than a widget that JavaScript requires.',
    daysAgo: 23,
    tags: ['Comments', 'Accessibility'],
    body: `Most comment systems are a script tag and an iframe. Quire's comments are part of the page: the server renders them, so search engines and readers without JavaScript see them.

## Progressive enhancement

The form posts to the same JSON API any other client uses. With JavaScript, errors appear next to each field and your comment shows up without a reload. Without it, the browser submits the form and you land back on your comment.

## Replies

Click **Reply** under a comment to answer it: the form moves under that comment and keeps what you had typed. Replies are shown beneath the comment they answer.

## Changing your mind

For a few minutes after posting, you can edit or delete your own comment from the same browser. Tick *Remember me* and your name is filled in next time.`,
    comments: [{ authorName: 'Tim', body: 'Tested with JavaScript off in my browser. It just works. More of this, please.' }],
  },
  {
    title: 'A JSON API for everything',
    summary: 'Every post and comment is available as JSON, with cursor pagination and errors you can act on.',
    daysAgo: 31,
    tags: ['API'],
    body: `Quire's pages and its API read the same data. The API speaks JSON and [documents itself](/api/docs) from an OpenAPI description:

\`\`\`sh
curl http://localhost:3000/api/posts?limit=5
\`\`\`

## Pagination

Lists return \`{ "data": [...], "nextCursor": "..." }\`. Pass \`cursor\` back to get the next page. Cursors are stable: a post published while you page does not shift the results.

## Errors

Errors follow [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details, and validation errors name the field:

\`\`\`json
{ "status": 400, "errors": [{ "field": "title", "message": "title is required." }] }
\`\`\``,
  },
  {
    title: 'Fast pages on a small server',
    summary: 'Rendering Markdown at write time, keyset pagination and indexes for every query keep a two-core server relaxed.',
    daysAgo: 40,
    tags: ['Performance', 'SQLite'],
    body: `Three habits keep Quire fast:

1. **Do the work once.** Markdown is rendered when a post is saved, not each time it is read. Comment counts are kept up to date by the database itself.
2. **Index every query.** Each list reads an index in order and stops after one page.
3. **Page by key, not by offset.** \`OFFSET 10000\` reads and throws away ten thousand rows; a cursor jumps straight to the right place.

None of this is clever. It is just refusing to do work twice.`,
  },
  {
    title: 'Accessible by default',
    summary: 'Semantic HTML, visible focus, labelled fields and real contrast are not extras.',
    daysAgo: 52,
    tags: ['Accessibility'],
    body: `Every page in Quire is built from plain, semantic HTML:

- one \`<h1>\` per page, headings in order;
- a *skip to content* link for keyboard users;
- every form field has a label, and errors are tied to their field;
- colours that pass WCAG AA in light and dark mode.

Try it: press **Tab** on this page and watch the focus ring.`,
    comments: [{ authorName: 'Marta', body: 'The skip link is a nice touch. Screen reader users thank you.' }],
  },
  {
    title: 'Dark mode with one media query',
    summary: 'Quire follows your operating system: light by day, dark by night, no toggle required.',
    daysAgo: 64,
    tags: ['Design', 'CSS'],
    body: `Quire's stylesheet defines its colours as custom properties and swaps them in a single \`prefers-color-scheme\` block:

\`\`\`css
@media (prefers-color-scheme: dark) {
  :root { --bg: #121417; --fg: #e6e8eb; }
}
\`\`\`

Everything else, from links to code blocks, follows.`,
  },
  {
    title: 'Being found: sitemaps and robots.txt',
    summary: 'Search engines discover every published post through a sitemap that is always current.',
    daysAgo: 77,
    tags: ['SEO'],
    body: `Quire serves [a sitemap](/sitemap.xml), \`/robots.txt\` and feeds straight from the database:

- a post appears in the sitemap and the feeds as soon as it is published;
- unpublished and deleted posts disappear at once;
- drafts never appear.

Readers can follow the whole blog as [RSS](/feed.xml), [Atom](/atom.xml) or [JSON Feed](/feed.json), or one tag: every [tag page](/tags/seo) has its own RSS feed.

Set \`SITE_URL\` to your public address so the sitemap and feeds use absolute URLs on your domain.`,
  },
  {
    title: 'Ten years of writing on the web',
    summary: 'Blogs come and go, but a plain page of text at a stable address keeps working.',
    daysAgo: 95,
    tags: ['Writing'],
    body: `The first post on any blog is usually a promise to write more. This one is a reminder of why it is worth it.

## Own your words

A post on your own domain outlives platforms. Keep the source in Markdown and the database in one file, and moving is a copy away.

## Keep it simple

Fast pages, readable type, no pop-ups. Readers come back to sites that respect them.`,
  },
  {
    title: 'Notes for the next release',
    summary: 'Ideas for what comes next: images, pages and newsletters.',
    daysAgo: null,
    tags: ['Quire'],
    body: `This is a **draft**: it is not on the home page, in the API or in the sitemap until it is published.

- Images in posts, resized on upload
- Static pages (About, Now) outside the post list
- Email for new posts and replies`,
  },
];

const DAY = 24 * 60 * 60 * 1000;

/**
 * Adds the demo posts and comments; posts whose slug already exists are left alone, so it can run
 * twice. Each post and comment is written in its own transaction: Markdown is rendered (in a
 * worker, awaited) before each one begins.
 */
export async function seedDemoContent(now = Date.now()): Promise<{ posts: number; comments: number }> {
  let postCount = 0;
  let commentCount = 0;
  for (const demo of DEMO_POSTS) {
    const slug = slugify(demo.title);
    if (await postExists(slug)) continue;
    const publishedAt = demo.daysAgo === null ? undefined : new Date(now - demo.daysAgo * DAY).toISOString();
    const post = await createPost({
      title: demo.title,
      slug,
      summary: demo.summary,
      body: demo.body,
      status: publishedAt ? 'published' : 'draft',
      publishedAt,
      tags: demo.tags,
    });
    postCount++;
    if (!publishedAt) continue;
    // Demo history looks lived-in: written when published, comments in the hours after.
    await transaction(async (tx) => {
      await tx.update(posts).set({ createdAt: publishedAt, updatedAt: publishedAt }).where(eq(posts.id, post.id));
    });
    const later = (hours: number) => new Date(Date.parse(publishedAt) + hours * 3_600_000).toISOString();
    const backdate = (id: number, createdAt: string) =>
      transaction(async (tx) => {
        await tx.update(comments).set({ createdAt }).where(eq(comments.id, id));
      });
    let hour = 1;
    for (const thread of demo.comments ?? []) {
      const parent = await createComment(post.slug, { authorName: thread.authorName, body: thread.body });
      await backdate(parent.id, later(hour++));
      commentCount++;
      for (const reply of thread.replies ?? []) {
        const answer = await createComment(post.slug, { ...reply, parentId: parent.id });
        await backdate(answer.id, later(hour++));
        commentCount++;
      }
    }
  }
  return { posts: postCount, comments: commentCount };
}
