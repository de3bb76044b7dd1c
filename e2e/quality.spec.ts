import AxeBuilder from '@axe-core/playwright';
import { HtmlValidate } from 'html-validate';
import { AUTHOR_STATE, expect, test } from './fixtures';

/*
 * Accessibility (axe, WCAG 2.2 AA) and valid HTML (html-validate) on every kind of page, plus the
 * basics each page needs: one <h1>, a language, a title and a description.
 */

const htmlValidate = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // React writes void elements as <meta/>, boolean attributes as attr="", some attribute names in
    // camelCase (charSet, dateTime) and useId ids like _R_1_: all valid HTML, only not this tool's style.
    'void-style': 'off',
    'attribute-boolean-style': 'off',
    'attribute-empty-style': 'off',
    'attr-case': 'off',
    'valid-id': ['error', { relaxed: true }],
    // Next inlines its own scripts and styles.
    'no-inline-style': 'off',
    'prefer-native-element': 'off',
    // Long lines and whitespace are React's output, not content.
    'no-trailing-whitespace': 'off',
  },
});

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function checkPage(page: import('@playwright/test').Page, path: string) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  const html = await response!.text();

  const report = await htmlValidate.validateString(html);
  const messages = report.results.flatMap((result) => result.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
  expect(messages, `${path} is valid HTML`).toEqual([]);

  await expect(page.locator('h1'), `${path} has one h1`).toHaveCount(1);
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
  expect((await page.title()).length, `${path} has a title`).toBeGreaterThan(0);
  expect(await page.locator('meta[name="description"]').getAttribute('content'), `${path} has a description`).toBeTruthy();

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const axe = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    expect(
      axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      `${path} in ${colorScheme} mode has no WCAG 2.2 AA violations`,
    ).toEqual([]);
  }
}

test.describe('reader pages', () => {
  for (const path of ['/', '/posts/welcome-to-quire', '/tags', '/tags/quire', '/search?q=sqlite', '/search', '/api/docs']) {
    test(`${path} is accessible and valid`, async ({ page, api }) => {
      if (path === '/tags/quire') await api.patch('/api/posts/welcome-to-quire', { data: { tags: ['Quire', 'SQLite'] } });
      await checkPage(page, path);
    });
  }

  test('the 404 page is accessible and valid', async ({ page }) => {
    const response = await page.goto('/posts/no-such-post');
    expect(response?.status()).toBe(404);
    const axe = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    expect(axe.violations.map((v) => v.id)).toEqual([]);
  });
});

test.describe('admin pages', () => {
  test.use({ storageState: AUTHOR_STATE });
  for (const path of ['/admin/posts', '/admin/posts/new', '/admin/posts/1', '/admin/comments', '/admin/settings', '/admin/tokens']) {
    test(`${path} is accessible and valid`, async ({ page }) => {
      await checkPage(page, path);
    });
  }
});

test('the sign-in page is accessible and valid', async ({ page }) => {
  await checkPage(page, '/admin/sign-in');
});
