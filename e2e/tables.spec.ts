import { type CreatedPost, expect, test as base } from './fixtures';

/*
 * GFM tables: each column is aligned as its delimiter row says (`:--`, `:-:`, `--:`, `---`), in both
 * colour schemes. The renderer marks cells with align="…" (no inline style, which the CSP would
 * block), and the stylesheet must honour it rather than set every cell to one side.
 */

const BODY = [
  'Prices:',
  '',
  '| Left | Centre | Right | None |',
  '| :--- | :----: | ----: | ---- |',
  '| apples | a kilo | 3.50 | fresh |',
  '| figs and dates, dried | a box | 12.00 | imported |',
].join('\n');

/** Each column's delimiter and the text-align the browser computes for it; "none" is the start of the line. */
const COLUMNS = [
  { name: 'Left', align: 'left', textAlign: 'left' },
  { name: 'Centre', align: 'center', textAlign: 'center' },
  { name: 'Right', align: 'right', textAlign: 'right' },
  { name: 'None', align: null, textAlign: 'start' },
] as const;

const test = base.extend<{ tablePost: CreatedPost }>({
  tablePost: async ({ api, unique }, use) => {
    const response = await api.post('/api/posts', { data: { title: `Aligned table ${unique}`, body: BODY, status: 'published' } });
    expect(response.status()).toBe(201);
    const post = (await response.json()) as CreatedPost;
    await use(post);
    await api.delete(`/api/posts/${post.slug}`);
  },
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`table columns are aligned as written, in ${colorScheme} mode`, async ({ page, tablePost }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(`/posts/${tablePost.slug}`);
    const table = page.locator('.prose table');
    await expect(table).toBeVisible();
    for (const [index, column] of COLUMNS.entries()) {
      const cells = table.locator(`tr > :nth-child(${index + 1})`);
      await expect(cells).toHaveCount(3);
      for (const cell of await cells.all()) {
        if (column.align) await expect(cell).toHaveAttribute('align', column.align);
        else await expect(cell).not.toHaveAttribute('align');
        const textAlign = await cell.evaluate((element) => getComputedStyle(element).textAlign);
        expect(textAlign, `${column.name} column: ${await cell.textContent()}`).toBe(column.textAlign);
      }
    }
    // The right-aligned column's short figures end where its header ends.
    const right = table.locator('tr > :nth-child(3)');
    const ends = await right.evaluateAll((cells) =>
      cells.map((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const text = range.getBoundingClientRect();
        return Math.round(cell.getBoundingClientRect().right - text.right);
      }),
    );
    expect(new Set(ends).size, `the text in each right-aligned cell ends the same distance from the edge: ${ends}`).toBe(1);
  });
}
