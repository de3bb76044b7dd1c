import { performance } from 'node:perf_hooks';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  RENDER_POOL,
  RENDER_TIME_LIMIT_MS,
  closeMarkdownWorkers,
  markdownToPlainText,
  renderCommentMarkdown,
  renderPost,
  renderPostMarkdown,
} from '@/lib/render/markdown';
import { WALL_LIMIT_FACTOR } from '@/lib/render/worker-pool';
import { SLOW_MARKDOWN, fill } from './fixtures/slow-markdown';

const ATTACKS = [
  '<script>alert(1)</script>',
  '<img src="x" onerror="alert(1)">',
  '[click me](javascript:alert(1))',
  '<a href="javascript:alert(1)">raw link</a>',
  '<iframe src="https://evil.example"></iframe>',
  '![x](javascript:alert(1))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
];

// The render workers start (and load the pipeline from TypeScript) on first use: not part of any test.
beforeAll(() => renderPostMarkdown('warm up'), 30_000);

describe('renderPostMarkdown', () => {
  it('renders GitHub-flavoured Markdown', async () => {
    const html = await renderPostMarkdown(
      [
        '## Heading',
        '',
        '- one',
        '- two',
        '',
        '```ts',
        'const x = 1;',
        '```',
        '',
        '| a | b |',
        '| - | - |',
        '| 1 | 2 |',
        '',
        '[link](https://example.com)',
      ].join('\n'),
    );
    expect(html).toContain('<h2>Heading</h2>');
    expect(html).toContain('<li>one</li>');
    // Highlighted (tests/highlight.test.ts covers how).
    expect(html).toContain(
      '<pre tabindex="0"><code class="language-ts"><span class="tok-keyword">const</span> <span class="tok-constant">x</span> <span class="tok-keyword">=</span> <span class="tok-constant">1</span>;\n</code></pre>',
    );
    expect(html).toContain('<table>');
    expect(html).toContain('<a href="https://example.com">link</a>');
  });

  it('marks a table column’s alignment with align, which app/globals.css honours, and no inline style', async () => {
    const html = await renderPostMarkdown('| l | c | r | n |\n| :- | :-: | -: | - |\n| 1 | 2 | 3 | 4 |');
    expect(html).toContain('<th align="left">l</th>\n<th align="center">c</th>\n<th align="right">r</th>\n<th>n</th>');
    expect(html).toContain('<td align="right">3</td>');
    expect(html).not.toContain('style');
  });

  it('links a footnote and its reference to each other: every in-page link reaches an id', async () => {
    const html = await renderPostMarkdown('Text[^note] here.\n\n[^note]: The note.\n');
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    const targets = [...html.matchAll(/ (?:href="#|aria-describedby=")([^"]+)"/g)].map((m) => m[1]);
    expect(targets).toHaveLength(3);
    for (const target of targets) expect(ids).toContain(target);
  });

  it.each(ATTACKS)('renders %s inert', async (attack) => {
    const html = await renderPostMarkdown(attack);
    expect(html).not.toMatch(/<script|onerror|javascript:|<iframe|data:text/i);
  });

  it('keeps safe images', async () => {
    expect(await renderPostMarkdown('![A cat](https://example.com/cat.jpg)')).toContain(
      '<img src="https://example.com/cat.jpg" alt="A cat">',
    );
  });
});

describe('renderCommentMarkdown', () => {
  it('allows the safe subset and marks links as user content', async () => {
    const html = await renderCommentMarkdown('*hi* **there** `code`\n\n> quoted\n\n- item\n\n[site](https://example.com)');
    expect(html).toContain('<em>hi</em>');
    expect(html).toContain('<strong>there</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<li>item</li>');
    expect(html).toContain('<a href="https://example.com" rel="nofollow ugc noopener">site</a>');
  });

  it('drops images and headings but keeps their text', async () => {
    const html = await renderCommentMarkdown('# Big\n\n![alt text](https://example.com/a.png)');
    expect(html).not.toMatch(/<h1|<img/);
    expect(html).toContain('Big');
  });

  it.each(ATTACKS)('renders %s inert', async (attack) => {
    expect(await renderCommentMarkdown(attack)).not.toMatch(/<script|onerror|javascript:|<iframe|data:text|<img/i);
  });

  it('escapes HTML-looking text', async () => {
    expect(await renderCommentMarkdown('1 < 2 & "quotes"')).toBe('<p>1 &#x3C; 2 &#x26; "quotes"</p>');
  });

  // Found by tests/fuzz.test.ts: these overflowed the stack (a 500) after seconds of parsing.
  it.each([
    ['comment', renderCommentMarkdown, '>'.repeat(3_000)],
    ['post', renderPostMarkdown, '1. '.repeat(1_700)],
  ] as const)('refuses a %s nested thousands of levels deep as an invalid body', async (_kind, render, deep) => {
    await expect(render(`${deep}x`)).rejects.toMatchObject({
      code: 'validation',
      errors: [expect.objectContaining({ field: 'body', message: expect.stringMatching(/too deeply/) })],
    });
  });

  it('still renders nesting a person would write, and long horizontal rules', async () => {
    expect(await renderCommentMarkdown(`${'> '.repeat(16)}deep`)).toContain('<p>deep</p>');
    expect(await renderPostMarkdown('> > - nested\n> > - twice')).toContain('<li>twice</li>');
    expect(await renderPostMarkdown('* * * * * * * * * * * * * * * * * * * *')).toBe('<hr>');
    await expect(renderCommentMarkdown(`${'> '.repeat(17)}too deep`)).rejects.toThrow(/too deeply/);
  });
});

describe('markdownToPlainText', () => {
  it('strips syntax and truncates on a word boundary marker', async () => {
    expect(await markdownToPlainText('## Title\n\nSome **bold** [link](https://x.y) text.')).toBe('Title Some bold link text.');
    const long = await markdownToPlainText('word '.repeat(100), 20);
    expect(long.length).toBeLessThanOrEqual(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('keeps punctuation and hyphens where the text has them, and leaves out code and images', async () => {
    expect(await markdownToPlainText('Lives in **one SQLite file**, *well-known* and ~~old~~ `code`.')).toBe(
      'Lives in one SQLite file, well-known and old code.',
    );
    expect(await markdownToPlainText('- one\n- two\n\n> quoted\n\n```js\nlet x = 1;\n```\n\n![alt](/a.png) end')).toBe(
      'one two quoted end',
    );
    expect(await markdownToPlainText('| a | b |\n| - | - |\n| c | d |')).toBe('a b c d');
  });
});

describe('renderPost', () => {
  it('gives the HTML and the plain text from one render', async () => {
    expect(await renderPost('## Title\n\nSome **bold** text.\n\n```\ncode\n```')).toEqual({
      html: '<h2>Title</h2>\n<p>Some <strong>bold</strong> text.</p>\n<pre tabindex="0"><code>code\n</code></pre>',
      text: 'Title Some bold text.',
      summary: 'Some bold text.',
    });
  });
});

/*
 * Inputs whose parse time grows faster than their length (60,000 characters of `a\n=\n` took a
 * minute on the server's only thread): each is rendered or refused as an invalid body within the
 * time limit, and the event loop keeps turning meanwhile. Comments are 5,000 characters at most,
 * posts 60,000.
 */
const SLOW_CASES = [
  ...SLOW_MARKDOWN.map(([name, unit]) => ['comment', name, 5_000, unit] as const),
  ...SLOW_MARKDOWN.map(([name, unit]) => ['post', name, 60_000, unit] as const),
  ['post', 'setext headings', 5_000, 'a\n=\n'] as const,
  ['post', 'setext headings', 20_000, 'a\n=\n'] as const,
];
/**
 * On top of the limit (CPU time, so up to WALL_LIMIT_FACTOR times it on a machine busy with other
 * test files): stopping a worker and starting its replacement (which loads the Markdown pipeline
 * again). The inputs took 8-61 s on the old single-threaded renderer.
 */
const SLACK_MS = 8_000;
const renderers = { comment: renderCommentMarkdown, post: renderPostMarkdown };

describe('Markdown whose parse time grows faster than its length', () => {
  it.each(SLOW_CASES)(
    'a %s of %s (%i characters) is rendered or refused in time',
    async (kind, _name, length, unit) => {
      const started = performance.now();
      const outcome = await renderers[kind](fill(unit, length)).then(
        (html) => ({ html }),
        (error: unknown) => ({ error }),
      );
      expect(performance.now() - started).toBeLessThan(RENDER_TIME_LIMIT_MS[kind] * WALL_LIMIT_FACTOR + SLACK_MS);
      if ('error' in outcome) {
        expect(outcome.error).toMatchObject({
          code: 'validation',
          status: 400,
          errors: [{ field: 'body', message: 'This text takes too long to format; simplify it.' }],
        });
      }
    },
    30_000,
  );

  it.each([
    ['comment', 5_000],
    ['post', 60_000],
  ] as const)(
    'keeps the event loop turning while a %s of setext headings is parsed',
    async (kind, length) => {
      await renderers[kind]('warm up');
      // Event-loop utilisation: the share of the time this thread spent running code rather than
      // waiting for events. Unlike timer delays it does not grow when other processes take the CPU.
      const before = performance.eventLoopUtilization();
      await renderers[kind](fill('a\n=\n', length)).catch(() => undefined);
      const { utilization, active } = performance.eventLoopUtilization(performance.eventLoopUtilization(), before);
      // Rendering on this thread kept it busy all along (utilisation near 1, seconds of active time).
      expect(utilization).toBeLessThan(0.5);
      expect(active).toBeLessThan(500);
    },
    30_000,
  );

  it('renders comments without setext headings: the underline stays text, a rule is still a rule', async () => {
    expect(await renderCommentMarkdown('Title\n=====\n\nmore')).toBe('<p>Title\n=====</p>\n<p>more</p>');
    expect(await renderCommentMarkdown('a\n---\nb')).toBe('<p>a</p>\n\n<p>b</p>');
    expect(await renderPostMarkdown('Title\n=====')).toBe('<h1>Title</h1>');
  });

  it('renders as usual after a render was stopped at its limit', async () => {
    await expect(renderPostMarkdown(fill('a\n=\n', 60_000))).rejects.toMatchObject({ code: 'validation' });
    expect(await renderCommentMarkdown('*still* here')).toBe('<p><em>still</em> here</p>');
  }, 30_000);
});

describe('the render workers', () => {
  it('refuse work beyond the queue with a 503, and render the rest', async () => {
    const burst = RENDER_POOL.size * RENDER_POOL.pipeline + RENDER_POOL.maxQueue + 5;
    const results = await Promise.allSettled(Array.from({ length: burst }, (_, i) => renderCommentMarkdown(`comment ${i}`)));
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const { reason } of refused) {
      expect(reason).toMatchObject({ code: 'unavailable', status: 503, headers: { 'Retry-After': expect.any(String) } });
    }
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') expect(result.value).toBe(`<p>comment ${i}</p>`);
    });
  });

  it('take a reader’s comments by turns: beyond four waiting from one address, a 503 for that address only', async () => {
    await renderCommentMarkdown('warm up');
    // More than the workers are given at once and four more waiting: the rest are refused at once.
    const flood = RENDER_POOL.size * RENDER_POOL.pipeline + RENDER_POOL.maxQueuePerKey + 4;
    const results = await Promise.allSettled([
      ...Array.from({ length: flood }, (_, i) => renderCommentMarkdown(`flood ${i}`, '192.0.2.66')),
      renderCommentMarkdown('another reader', '198.51.100.7'),
      renderCommentMarkdown('the author'),
    ]);
    const refused = results.flatMap((result, i) => (result.status === 'rejected' ? [{ i, reason: result.reason as unknown }] : []));
    expect(refused.length).toBeGreaterThanOrEqual(4);
    for (const { i, reason } of refused) {
      expect(i).toBeLessThan(flood);
      expect(reason).toMatchObject({ code: 'unavailable', status: 503 });
    }
    expect(results.slice(flood)).toEqual([
      { status: 'fulfilled', value: '<p>another reader</p>' },
      { status: 'fulfilled', value: '<p>the author</p>' },
    ]);
  });

  it('render an ordinary comment while the server is too busy to read the answer before the limit', async () => {
    await renderCommentMarkdown('warm up');
    const rendering = renderCommentMarkdown('Nice post, *thanks*!');
    // Other requests keep the server's thread busy past the limit (a saturated machine under load):
    // the worker answered in milliseconds, so the comment is not "too long to format".
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const busyUntil = performance.now() + RENDER_TIME_LIMIT_MS.comment + 500;
        while (performance.now() < busyUntil);
        resolve();
      }),
    );
    expect(await rendering).toBe('<p>Nice post, <em>thanks</em>!</p>');
  });

  it('stop when closed, and start again on the next render', async () => {
    expect(await renderCommentMarkdown('before')).toBe('<p>before</p>');
    await closeMarkdownWorkers();
    expect(await renderCommentMarkdown('after')).toBe('<p>after</p>');
  });

  it('do not keep a process alive once it has its result', async () => {
    const markdownModule = new URL('../lib/render/markdown.ts', import.meta.url).href;
    const script = `const { renderCommentMarkdown } = await import(${JSON.stringify(markdownModule)}); console.log(await renderCommentMarkdown('*done*'));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      timeout: 20_000,
    });
    expect(stdout).toBe('<p><em>done</em></p>\n');
  }, 30_000);

  it('get their own small young generation under the server flag that sizes its own', async () => {
    // npm start runs the server with --max-semi-space-size=8, and V8's flags beat a worker's
    // resourceLimits. Once the render workers have started, a worker started the same way (4 MB)
    // shows which one V8 now applies; it got the server's 16 MB before.
    const markdownModule = new URL('../lib/render/markdown.ts', import.meta.url).href;
    // The young generation grows to its limit only while many new objects survive, so keep some.
    const probe = `Promise.all([import('node:v8'), import('node:worker_threads')]).then(([v8, { parentPort }]) => {
      const kept = Array.from({ length: 200_000 }, (_, i) => ({ i }));
      const { space_size } = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
      parentPort.postMessage(kept.length && space_size);
    });`;
    const script = `const { renderCommentMarkdown } = await import(${JSON.stringify(markdownModule)});
      const { Worker } = await import('node:worker_threads');
      await renderCommentMarkdown('start the workers');
      const worker = new Worker(${JSON.stringify(probe)}, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      worker.once('message', (bytes) => { console.log(bytes / 2 ** 20); worker.terminate(); });`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--max-semi-space-size=8', '--import', 'tsx', '--input-type=module', '--eval', script],
      { timeout: 20_000 },
    );
    expect(Number(stdout)).toBeLessThanOrEqual(4);
  }, 30_000);
});

describe('what the sanitiser leaves behind', () => {
  it('a link whose URL was removed is plain text, not an <a> without href', async () => {
    expect(await renderCommentMarkdown('[click me](javascript:alert(1)) ok')).toBe('<p>click me ok</p>');
    expect(await renderPostMarkdown('[click me](javascript:alert(1))')).toBe('<p>click me</p>');
    expect(await renderPostMarkdown('[fine](https://example.com)')).toBe('<p><a href="https://example.com">fine</a></p>');
  });

  it('task-list checkboxes are named by their item', async () => {
    const html = await renderPostMarkdown('- [x] Buy milk\n- [ ] Write *post*');
    expect(html).toContain('<input type="checkbox" checked disabled aria-label="Buy milk">');
    expect(html).toContain('<input type="checkbox" disabled aria-label="Write post">');
  });
});
