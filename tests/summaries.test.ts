import { beforeEach, describe, expect, it } from 'vitest';
import * as postsRoute from '@/app/api/posts/route';
import * as postRoute from '@/app/api/posts/[slug]/route';
import { exportData } from '@/lib/transfer/export';
import { importData } from '@/lib/transfer/import';
import { ADMIN, call, resetDatabase } from './helpers';

/*
 * The automatic summary (home page, Open Graph description, feeds): taken from the opening prose at
 * every save until the author writes one, cut at a word boundary, never a heading run into a paragraph.
 */

beforeEach(resetDatabase);

const create = async (json: Record<string, unknown>) => {
  const response = await call(postsRoute.POST, {
    method: 'POST',
    path: '/api/posts',
    json: { status: 'published', ...json },
    headers: ADMIN,
  });
  expect(response.status).toBe(201);
  return response.json();
};
const patch = async (slug: string, json: Record<string, unknown>) => {
  const response = await call(postRoute.PATCH, { method: 'PATCH', params: { slug }, json, headers: ADMIN });
  expect(response.status).toBe(200);
  return response.json();
};

/** Where Intl.Segmenter puts word boundaries in `text`: a cut anywhere else splits a word. */
function wordBoundaries(text: string, locale?: string): Set<number> {
  const ends = new Set<number>([0]);
  for (const { index, segment } of new Intl.Segmenter(locale, { granularity: 'word' }).segment(text)) ends.add(index + segment.length);
  return ends;
}

/** The summary without its ellipsis is the start of `text`, ending at a word boundary. */
function expectCutAtWord(summary: string, text: string, locale?: string) {
  expect(summary.endsWith('…')).toBe(true);
  const kept = summary.slice(0, -1);
  expect(text.startsWith(kept)).toBe(true);
  expect(wordBoundaries(text, locale).has(kept.length)).toBe(true);
}

const OPENING =
  'Moving a blog is less work than it looks like, and the hardest part is deciding what the new one should look like. ' +
  'This post walks through what I kept, what I dropped, and what I would do differently if I had to do it all over again.';

describe('automatic summaries', () => {
  it('come from the first paragraph, skipping a heading before it, cut at a word boundary', async () => {
    const post = await create({
      title: 'Moving house',
      body: `# Moving house\n\n${OPENING}\n\n## Why move at all\n\nThree reasons, in order of importance.`,
    });
    expect(post.summaryAutomatic).toBe(true);
    expect(post.summary).not.toContain('Moving house Moving');
    expect(post.summary).not.toContain('Why move at all');
    expect(post.summary.length).toBeLessThanOrEqual(160);
    expectCutAtWord(post.summary, OPENING);
  });

  it('add the next paragraph when the first is very short, never a heading or code between them', async () => {
    const post = await create({
      title: 'Short opening',
      body: 'Hello!\n\n## A heading\n\n```js\nconst x = 1;\n```\n\nThis is where the post really begins, after a greeting.\n\nAnd more.',
    });
    expect(post.summary).toBe('Hello! This is where the post really begins, after a greeting.');
  });

  it('follow the opening at every save until the author writes one', async () => {
    const first = 'The first version of the opening, written in a hurry.';
    const post = await create({ title: 'Drafting', body: `${first}\n\nMore text.` });
    expect(post.summary).toBe(first);
    const better = 'A better opening, written later with a clearer head.';
    const edited = await patch(post.slug, { body: `${better}\n\nMore text.` });
    expect(edited).toMatchObject({ summary: better, summaryAutomatic: true });
    // A client that sends the summary back as it was given changes nothing.
    const resent = await patch(post.slug, { summary: edited.summary, body: 'The final opening.' });
    expect(resent).toMatchObject({ summary: 'The final opening.', summaryAutomatic: true });
  });

  it("keep the author's summary through edits, and follow the text again once it is cleared", async () => {
    const post = await create({ title: 'Mine', summary: 'In my own words.', body: 'Opening one.' });
    expect(post).toMatchObject({ summary: 'In my own words.', summaryAutomatic: false });
    expect(await patch(post.slug, { body: 'Opening two.' })).toMatchObject({ summary: 'In my own words.', summaryAutomatic: false });
    const written = await patch(post.slug, { summary: 'Changed my mind.' });
    expect(written).toMatchObject({ summary: 'Changed my mind.', summaryAutomatic: false });
    expect(await patch(post.slug, { summary: '' })).toMatchObject({ summary: 'Opening two.', summaryAutomatic: true });
  });

  it('cut Chinese and Japanese text between words, not inside one', async () => {
    const chinese = '我们在这个博客里记录搬家的过程，包括为什么要搬、搬到哪里、以及搬完以后发现的问题。'.repeat(6);
    const zh = await create({ title: 'Chinese', body: chinese });
    expect(zh.summary.length).toBeLessThanOrEqual(160);
    expectCutAtWord(zh.summary, chinese, 'zh');
    const japanese = 'ブログの引っ越しは思ったより簡単でしたが、いくつか注意することがありました。'.repeat(8);
    const ja = await create({ title: 'Japanese', body: japanese });
    expect(ja.summary.length).toBeLessThanOrEqual(160);
    expectCutAtWord(ja.summary, japanese, 'ja');
  });

  it('never cut a word in the middle, and end without dangling punctuation', async () => {
    const text = `${'Supercalifragilistic expialidocious, '.repeat(8)}end.`;
    const post = await create({ title: 'Words', body: text });
    expectCutAtWord(post.summary, text);
    expect(post.summary).not.toMatch(/[,\s]…$/);
  });

  it('travel with an export, and stay automatic or the author’s after an import', async () => {
    await create({ title: 'Auto', body: 'Follows the text.' });
    await create({ title: 'Custom', summary: 'Written by hand.', body: 'Some text.' });
    const exported = await exportData();
    const bySlug = new Map(exported.posts.map((p) => [p.slug, p]));
    expect(bySlug.get('auto')).toMatchObject({ summary: 'Follows the text.', summaryAutomatic: true });
    expect(bySlug.get('custom')).toMatchObject({ summary: 'Written by hand.', summaryAutomatic: false });

    await resetDatabase();
    await importData(JSON.parse(JSON.stringify(exported)));
    const auto = await patch('auto', { body: 'The text changed after the move.' });
    expect(auto).toMatchObject({ summary: 'The text changed after the move.', summaryAutomatic: true });
    expect(await patch('custom', { body: 'Other text.' })).toMatchObject({ summary: 'Written by hand.', summaryAutomatic: false });
  });

  it('are derived on import when the file has none (another tool’s export)', async () => {
    const exported = await exportData();
    await importData({
      ...exported,
      posts: [
        {
          slug: 'imported',
          title: 'Imported',
          status: 'published',
          publishedAt: '2026-01-01T00:00:00.000Z',
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          body: '## Heading\n\nThe opening of an imported post.',
        },
      ],
    });
    const [post] = (await exportData()).posts;
    expect(post).toMatchObject({ summary: 'The opening of an imported post.', summaryAutomatic: true });
  });
});
