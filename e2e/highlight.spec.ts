import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { type CreatedPost, expect, test as base } from './fixtures';

/*
 * Highlighted code (lib/render/code-highlighter.ts): coloured on the server, in both colour schemes, with
 * enough contrast, and with no script of its own.
 */

/** Code that gives every token class the highlighter writes (tests/highlight.test.ts lists them). */
const BODY = [
  'Some code:',
  '```ts',
  'export function greet(name: string): string {',
  '  return `Hello, ${name}!`; // says hello',
  '}',
  '```',
  '```python',
  'def area(radius):',
  '    return 3.14 * radius ** 2  # circle',
  '```',
  '```json',
  '{"name": "quire", "private": true}',
  '```',
  '```diff',
  '--- a/post.md',
  '+++ b/post.md',
  '-Old line',
  '+New line',
  '! changed',
  '```',
  '```md',
  '# Title',
  '',
  'Some *emphasis*, **strong**, `code` and [a link](https://example.com).',
  '```',
  '```sh',
  'echo plain "quoted"',
  '```',
  '```no-such-language',
  'left plain',
  '```',
].join('\n');

const colourOf = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((element) => getComputedStyle(element).color);

/** Script files a page loads. */
const scriptsOf = (page: Page) =>
  page.locator('script[src]').evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).src).sort());

/** A published post with BODY, deleted after the test. */
const test = base.extend<{ codePost: CreatedPost }>({
  codePost: async ({ api, unique }, use) => {
    const response = await api.post('/api/posts', { data: { title: `Highlighted code ${unique}`, body: BODY, status: 'published' } });
    expect(response.status()).toBe(201);
    const post = (await response.json()) as CreatedPost;
    await use(post);
    await api.delete(`/api/posts/${post.slug}`);
  },
});

test.describe('highlighted code', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`tokens are coloured in ${colorScheme} mode, differently from plain code, with AA contrast`, async ({ page, codePost }) => {
      await page.emulateMedia({ colorScheme });
      await page.goto(`/posts/${codePost.slug}`);
      const plain = await colourOf(page, '.prose pre code.language-no-such-language');
      for (const kind of ['keyword', 'string-expression', 'comment', 'function', 'constant', 'inserted', 'deleted']) {
        expect(await colourOf(page, `.prose pre .tok-${kind}`), `${kind} in ${colorScheme} mode`).not.toBe(plain);
      }
      const contrast = await new AxeBuilder({ page }).include('.prose').withRules(['color-contrast']).analyze();
      expect(contrast.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`))).toEqual([]);
      expect(contrast.passes.flatMap((v) => v.nodes).length).toBeGreaterThan(20);
    });
  }

  test('light and dark modes use different colours for the same token', async ({ page, codePost }) => {
    await page.goto(`/posts/${codePost.slug}`);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await colourOf(page, '.prose pre .tok-keyword');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await colourOf(page, '.prose pre .tok-keyword')).not.toBe(light);
  });

  test('the colours come with the HTML: the page loads no script for them', async ({ page, post, codePost, browser }) => {
    await page.goto(`/posts/${post.slug}`);
    const withoutCode = await scriptsOf(page);
    await page.goto(`/posts/${codePost.slug}`);
    expect(await scriptsOf(page)).toEqual(withoutCode);

    const response = await page.request.get(`/posts/${codePost.slug}`);
    expect(await response.text()).toContain('<span class="tok-keyword">export</span>');

    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const bare = await noScript.newPage();
    await bare.goto(`/posts/${codePost.slug}`);
    expect(await colourOf(bare, '.prose pre .tok-keyword')).toBe(await colourOf(page, '.prose pre .tok-keyword'));
    await noScript.close();
  });
});
