import { expect, test } from './fixtures';

/*
 * The API reference at /api/docs, read by a person: descriptions are Markdown, schemas are fields
 * with their types and limits, and the page loads nothing from elsewhere and trips no CSP rule.
 * Its axe and HTML checks are in e2e/quality.spec.ts; its list of operations in e2e/api-contract.spec.ts.
 */

test('descriptions are Markdown: backticks become code, none are left in the text', async ({ page }) => {
  await page.goto('/api/docs');
  const main = page.getByRole('main');
  await expect(main.locator('code', { hasText: '{ data, nextCursor }' }).first()).toBeVisible();
  // An answer's description (lib/api/problems.ts) and a field's (lib/schema/fields.ts).
  await expect(main.locator('code', { hasText: /^errors$/ }).first()).toBeVisible();
  await expect(main.locator('code', { hasText: /^cursor$/ }).first()).toBeVisible();
  expect(await main.innerText()).not.toContain('`');
});

test('a schema is a table of fields with their types, whether required, and their limits', async ({ page }) => {
  await page.goto('/api/docs');
  const createPost = page.getByRole('region', { name: 'POST /api/posts', exact: true });
  const fields = createPost.getByRole('table', { name: /PostCreate/ });
  const row = (table: typeof fields, name: string) =>
    table.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(row(fields, 'title').getByRole('cell')).toHaveText(['string', 'required', '1–200 characters.']);
  await expect(row(fields, 'status').getByRole('cell')).toHaveText([
    'string',
    'optional',
    'One of draft, published, scheduled. Default draft.',
  ]);

  // An answer's schema, nested fields included, linked from the operation.
  await createPost.getByRole('link', { name: 'AuthorPost', exact: true }).first().click();
  await expect(page).toHaveURL(/#schema-AuthorPost$/);
  const problem = page.getByRole('table', { name: /^Problem/ });
  await expect(row(problem, 'errors[].field').getByRole('cell')).toHaveText(['string', 'required', '']);
  // No schema is shown as raw JSON Schema any more.
  await expect(page.getByText('"properties"')).toHaveCount(0);
});

test('the contents lead to every operation and schema, by keyboard too', async ({ page }) => {
  await page.goto('/api/docs');
  const contents = page.getByRole('navigation', { name: 'Contents' });
  const targets = await contents.getByRole('link').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
  expect(targets.length).toBeGreaterThan(40);
  for (const target of targets) {
    expect(target, 'an in-page anchor').toMatch(/^#/);
    await expect(page.locator(`[id="${target!.slice(1)}"]`), `${target} exists`).toHaveCount(1);
  }
  const link = contents.getByRole('link', { name: 'PATCH /api/comments/{id}' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#op-patch-api-comments-id-$/);
  await expect(page.getByRole('heading', { level: 3, name: 'PATCH /api/comments/{id}', exact: true })).toBeInViewport();
});

test('the page is cached: a second visit is served from the cache', async ({ request }) => {
  await request.get('/api/docs');
  const again = await request.get('/api/docs');
  expect(again.status()).toBe(200);
  expect(again.headers()['x-nextjs-cache']).toBe('HIT');
});

test('the page breaks no CSP rule and asks nothing of other origins', async ({ page, baseURL }) => {
  const violations: string[] = [];
  const elsewhere: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== new URL(baseURL!).origin) elsewhere.push(request.url());
  });
  await page.goto('/api/docs');
  await page.waitForLoadState('networkidle');
  await page.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: 'Problem', exact: true }).click();
  expect(violations).toEqual([]);
  expect(elsewhere).toEqual([]);
});

test('screenshots on a phone and a desktop, light and dark', async ({ page }) => {
  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    await page.setViewportSize(viewport);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto('/api/docs');
      // Scrolled at once: the site scrolls smoothly to an anchor, and a screenshot would catch it midway.
      await page.locator('#op-post-api-posts').evaluate((heading) => heading.scrollIntoView({ behavior: 'instant' }));
      await page.screenshot({ path: test.info().outputPath(`api-docs-${viewport.width}-${colorScheme}.png`) });
      // The page never scrolls sideways, so long paths and types wrap.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    }
  }
});
