import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import fc from 'fast-check';
import type { Element, ElementContent, Root } from 'hast';
import { decode } from 'html-entities';
import rehypeSanitize from 'rehype-sanitize';
import { unified } from 'unified';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { comments, posts, settings } from '@/db/schema';
import { CODE_TOKEN_CLASSES, removeCodeHighlighting } from '@/lib/render/code-highlight';
import { HIGHLIGHTED_LANGUAGES, HIGHLIGHT_LIMITS, highlightBudget, highlightCode } from '@/lib/render/code-highlighter';
import { feedResponse } from '@/lib/content/feeds';
import { RENDER_TIME_LIMIT_MS, renderCommentMarkdown, renderPost, renderPostMarkdown } from '@/lib/render/markdown';
import { SANITIZE_SCHEMAS } from '@/lib/render/markdown-pipeline';
import { MARKDOWN_RENDER_VERSION, renderStaleHtml } from '@/lib/render/render-version';
import { makeComment, makePost, resetDatabase } from './helpers';

const fence = (lang: string, code: string) => `\`\`\`${lang}\n${code}\n\`\`\``;
/** What a reader sees of some HTML: its text, tags dropped and entities decoded. */
const textOf = (html: string) => decode(html.replace(/<[^>]*>/g, ''));
/** True when every tag is a code block's or a token's, with no attribute but the ones the highlighter writes. */
const onlyCodeMarkup = (html: string) =>
  [...html.matchAll(/<[^>]*>/g)].every(([tag]) => {
    const span = /^<span class="([^"]*)">$/.exec(tag);
    if (span) return span[1]!.split(' ').every((name) => CODE_TOKEN_CLASSES.includes(name));
    return /^<(pre( tabindex="0")?|code( class="language-[\w-]+")?|\/pre|\/code|\/span)>$/.test(tag);
  });

const SAMPLES: Record<string, string> = {
  ts: 'export function greet(name: string): string {\n  return `Hello, ${name}!`; // hi\n}',
  tsx: 'export const App = () => <main className="x">{items.map((i) => <Item key={i} />)}</main>;',
  js: "const x = require('x'); // comment",
  jsx: 'const el = <div id="a">{1 + 2}</div>;',
  json: '{"name": "quire", "private": true, "version": 1}',
  css: '.prose pre { color: var(--fg); margin: 0 1rem; }',
  html: '<p class="lead">Hi <a href="/x">there</a></p>\n<script>let a = 1;</script>',
  sql: "SELECT id, title FROM posts WHERE status = 'published' ORDER BY id DESC;",
  bash: 'curl -s "$URL/api/posts" | jq .data # list',
  sh: 'npm install --no-audit && echo "done"',
  console: '$ npm run build\n> quire@0.1.0 build',
  diff: '--- a/x.ts\n+++ b/x.ts\n-old line\n+new line',
  yaml: 'name: quire\nports: [3000, 3001] # two',
  toml: '[server]\nport = 3000',
  md: '# Title\n\nSome *emphasis* and [a link](https://example.com).',
  python: 'def greet(name):\n    return f"Hello, {name}"  # hi',
  go: 'func main() {\n\tfmt.Println("hi")\n}',
  rust: 'fn main() { println!("hi {}", 1); }',
  dockerfile: 'FROM node:20\nRUN npm install',
  xml: '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"/>',
  ini: '[core]\nbare = false',
};

// The render workers start (and load the pipeline from TypeScript) on first use: not part of any test.
beforeAll(() => renderPostMarkdown('warm up'), 30_000);

describe('highlighted code blocks', () => {
  it.each(Object.entries(SAMPLES))('a ```%s block gets token classes and keeps its text exactly', async (lang, code) => {
    const html = await renderPostMarkdown(fence(lang, code));
    expect(html).toMatch(/^<pre tabindex="0"><code class="language-[a-z]+">.*<span class="tok-/s);
    expect(textOf(html)).toBe(`${code}\n`);
    expect(onlyCodeMarkup(html)).toBe(true);
  });

  it('colours by kind: keywords, strings, comments and functions', async () => {
    expect(await renderPostMarkdown(fence('ts', 'const greet = (name) => `hi`; // done'))).toBe(
      '<pre tabindex="0"><code class="language-ts"><span class="tok-keyword">const</span> <span class="tok-function">greet</span> ' +
        '<span class="tok-keyword">=</span> (name) <span class="tok-keyword">=></span> ' +
        '<span class="tok-string-expression">`hi`</span>; <span class="tok-comment">// done</span>\n</code></pre>',
    );
  });

  it('knows every language by its name and aliases, in any case', async () => {
    for (const name of ['typescript', 'ts', 'javascript', 'js', 'shellscript', 'bash', 'sh', 'zsh', 'yml', 'py', 'md', 'rs', 'docker']) {
      expect(HIGHLIGHTED_LANGUAGES.has(name), name).toBe(true);
    }
    expect(await renderPostMarkdown(fence('TS', 'let x = 1;'))).toContain('<code class="language-TS"><span class="tok-keyword">let</span>');
  });

  it('docs/writing.md lists every language name that is highlighted', () => {
    const guide = fs.readFileSync(path.join(process.cwd(), 'docs', 'writing.md'), 'utf8');
    const section = guide.slice(guide.indexOf('Fenced code blocks are highlighted'), guide.indexOf('Any other language, or none'));
    expect([...section.matchAll(/`([a-z]+)`/g)].map((match) => match[1]).sort()).toEqual([...HIGHLIGHTED_LANGUAGES].sort());
  });

  it.each([
    ['an unknown language', fence('brainfudge', 'if (a < b) { <b>x</b> }'), '<pre tabindex="0"><code class="language-brainfudge">'],
    ['no language', fence('', 'if (a < b) { <b>x</b> }'), '<pre tabindex="0"><code>'],
    ['plain text', fence('text', 'if (a < b) { <b>x</b> }'), '<pre tabindex="0"><code class="language-text">'],
  ])('leaves %s plain and escaped, without an error', async (_case, markdown, opening) => {
    expect(await renderPostMarkdown(markdown)).toBe(`${opening}if (a &#x3C; b) { &#x3C;b>x&#x3C;/b> }\n</code></pre>`);
  });

  it('colours code inside a Markdown block the same from a worker’s first render on', async () => {
    // A process of its own, so no block has loaded the TypeScript grammar before.
    const highlighter = new URL('../lib/render/code-highlighter.ts', import.meta.url).href;
    const markdown = `Text\n\n${fence('ts', 'const x = 1;')}`;
    const script = `const { highlightCode } = await import(${JSON.stringify(highlighter)});
      console.log(JSON.stringify(highlightCode(${JSON.stringify(markdown)}, 'md', { characters: 1e6, deadline: Infinity, lineLength: 1_000 })));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      timeout: 20_000,
    });
    expect(stdout).toContain('"properties":{"className":["tok-keyword"]},"children":[{"type":"text","value":"const"}]');
  }, 30_000);

  it('leaves indented code and inline code plain', async () => {
    expect(await renderPostMarkdown('    const x = 1;\n\nSome `const y = 2` here.')).toBe(
      '<pre tabindex="0"><code>const x = 1;\n</code></pre>\n<p>Some <code>const y = 2</code> here.</p>',
    );
  });

  it('highlights comments too, with their smaller allow-list', async () => {
    const html = await renderCommentMarkdown(fence('sh', 'echo "hi" # greet'));
    expect(html).toBe(
      '<pre><code><span class="tok-function">echo</span> <span class="tok-string-expression">"hi"</span> <span class="tok-comment"># greet</span>\n</code></pre>',
    );
  });

  it('keeps the plain text for search and summaries free of code', async () => {
    expect((await renderPost(`Intro.\n\n${fence('ts', 'const secret = 1;')}\n\nOutro.`)).text).toBe('Intro. Outro.');
  });
});

describe('what a writer puts in a code block stays text', () => {
  const ATTACKS = [
    '</code></pre><script>alert(1)</script>',
    '<img src=x onerror="alert(1)">',
    '<span class="tok-keyword" style="position:fixed;inset:0">x</span>',
    '"><svg onload=alert(1)>',
    '`${alert(1)}` <iframe src="javascript:alert(1)">',
  ];

  it.each(['ts', 'html', 'md', 'js', 'unknown'])('in a ```%s block', async (lang) => {
    for (const attack of ATTACKS) {
      for (const render of [renderPostMarkdown, renderCommentMarkdown]) {
        const html = await render(fence(lang, attack));
        expect(onlyCodeMarkup(html)).toBe(true);
        expect(textOf(html)).toBe(`${attack}\n`);
      }
    }
  });

  it.each([
    ['post', renderPostMarkdown],
    ['comment', renderCommentMarkdown],
  ] as const)('a %s with a styled or classed span of its own loses the span', async (_kind, render) => {
    for (const markdown of [
      '<span style="position:fixed;top:0;left:0;width:100%;height:100%">covered</span>',
      'Text <span class="tok-keyword" style="color:red">classed</span> here.',
      '<div style="position:fixed"><span style="position:fixed">x</span></div>',
    ]) {
      const html = await render(markdown);
      expect(html).not.toMatch(/<span|<div|style=|position/);
    }
  });
});

describe('the sanitisers allow token spans and nothing more', () => {
  /** A tree no Markdown can make: a span with a style, a token class and a made-up one. */
  const tree = (): Root => ({
    type: 'root',
    children: [
      {
        type: 'element',
        tagName: 'pre',
        properties: {},
        children: [
          {
            type: 'element',
            tagName: 'code',
            properties: {},
            children: [
              {
                type: 'element',
                tagName: 'span',
                properties: {
                  className: ['tok-keyword', 'fixed-overlay', 'tok-evil'],
                  style: 'position:fixed;inset:0',
                  id: 'x',
                  dataX: '1',
                  onClick: 'alert(1)',
                },
                children: [{ type: 'text', value: 'const' }],
              },
            ],
          },
        ],
      },
    ],
  });

  it.each(['post', 'comment'] as const)('the %s schema keeps the token class and drops the style, other classes and attributes', (kind) => {
    const clean = unified().use(rehypeSanitize, SANITIZE_SCHEMAS[kind]).runSync(tree());
    const span = ((clean.children[0] as Element).children[0] as Element).children[0] as Element;
    expect(span.tagName).toBe('span');
    // The post schema allows an id on any element, prefixed so it cannot clobber the page's own.
    expect(span.properties).toEqual({ className: ['tok-keyword'], ...(kind === 'post' && { id: 'user-content-x' }) });
  });
});

describe('highlighting has bounds', () => {
  it('a 200 KB code block is rendered within the limit, plain: over the characters one document gets', async () => {
    const line = 'const x = { a: 1, b: "two", c: [3, 4] }; // comment\n';
    const code = line.repeat(Math.ceil(200_000 / line.length)).trimEnd();
    const started = performance.now();
    const html = await renderPostMarkdown(fence('ts', code));
    expect(performance.now() - started).toBeLessThan(RENDER_TIME_LIMIT_MS.post);
    expect(html).not.toContain('tok-');
    expect(textOf(html)).toBe(`${code}\n`);
  }, 30_000);

  it('a post-sized code block (60,000 characters) is highlighted whole within the limit', async () => {
    const line = 'export const answer: number = compute("forty-two", 42); // why\n';
    const code = line.repeat(Math.floor(HIGHLIGHT_LIMITS.characters / line.length)).trimEnd();
    const started = performance.now();
    const html = await renderPostMarkdown(fence('ts', code));
    expect(performance.now() - started).toBeLessThan(RENDER_TIME_LIMIT_MS.post);
    expect(html.match(/<span class="tok-comment">\/\/ why<\/span>/g)).toHaveLength(code.split('\n').length);
  }, 30_000);

  it('a post’s line of 1,000 characters or more stays plain (its cost grows with the square of its length); the others are highlighted', async () => {
    const long = `let s = "${'a'.repeat(20_000)}";`;
    const started = performance.now();
    const html = await renderPostMarkdown(fence('ts', `let a = 1;\n${long}\nlet b = 2;`));
    expect(performance.now() - started).toBeLessThan(RENDER_TIME_LIMIT_MS.post);
    expect(html).toContain(`\n${long}\n`);
    expect(html.match(/<span class="tok-keyword">let<\/span>/g)).toHaveLength(2);
  }, 30_000);

  // Issue 23: five lines of 985 `<` as shell cost about 0.5 s each to tokenise, and the deadline was
  // read only every 50 lines, so one comment held a render worker for about 2 s.
  it('a comment of long shell lines (the issue’s payload) renders, its long lines plain', async () => {
    const code = Array.from({ length: 5 }, () => '<'.repeat(985)).join('\n');
    const html = await renderCommentMarkdown(fence('sh', code));
    expect(html).toBe(`<pre><code>${`${'&#x3C;'.repeat(985)}\n`.repeat(5)}</code></pre>`);
  }, 30_000);

  it('a comment’s line of 500 characters stays plain (a post’s is highlighted): the cost of a line grows with its length cubed', async () => {
    const line = `echo ${'"word" '.repeat(70)}`.padEnd(500, '#');
    const markdown = fence('sh', `echo short\n${line}`);
    const comment = await renderCommentMarkdown(markdown);
    expect(comment).toContain(`\n${line}\n`);
    expect(comment.match(/<span class="tok-function">echo<\/span>/g)).toHaveLength(1);
    expect((await renderPostMarkdown(markdown)).match(/<span class="tok-function">echo<\/span>/g)).toHaveLength(2);
  });

  it('reads the deadline before every line: once it has passed, the lines left stay plain, inside one block too', () => {
    const code = Array.from({ length: 20 }, () => 'let a = 1;').join('\n');
    // A clock that moves 10 ms each time it is read: the deadline passes a few lines in.
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (now += 10));
    let children: ElementContent[] | undefined;
    try {
      children = highlightCode(code, 'ts', { characters: 1e6, deadline: 100, lineLength: 1_000 });
    } finally {
      clock.mockRestore();
    }
    const keywords = children!.filter(
      (child) => child.type === 'element' && child.children[0]?.type === 'text' && child.children[0].value === 'let',
    );
    expect(keywords.length).toBeGreaterThan(0);
    expect(keywords.length).toBeLessThan(20);
    expect(children!.at(-1)).toMatchObject({ type: 'text', value: expect.stringMatching(/let a = 1;$/) });
  });

  it('a worker’s first use of a grammar (building the highlighter, compiling the grammar) is not charged to the document', async () => {
    // A fresh module: no highlighter built, no grammar compiled, as in a worker's first render.
    vi.resetModules();
    const fresh = await import('@/lib/render/code-highlighter');
    const code = ['let a = 1;', 'let b = 2;', 'let c = 3;'].join('\n');
    // 30 ms: far less than the first line costs (the highlighter and TypeScript's rules: 300 ms and more), far more than the next two.
    const children = fresh.highlightCode(code, 'ts', fresh.highlightBudget('post', performance.now() + 30))!;
    const keywords = children.filter(
      (child) => child.type === 'element' && child.children[0]?.type === 'text' && child.children[0].value === 'let',
    );
    expect(keywords).toHaveLength(3);
  });

  it('a spent budget leaves the code plain', () => {
    expect(highlightCode('let a = 1;', 'ts', { characters: 60_000, deadline: performance.now() - 1, lineLength: 1_000 })).toBeUndefined();
    expect(highlightCode('let a = 1;', 'ts', { characters: 5, deadline: Infinity, lineLength: 1_000 })).toBeUndefined();
    const budget = highlightBudget('post', performance.now() + 5_000);
    expect(highlightCode('let a = 1;', 'ts', budget)).toBeDefined();
    expect(budget.characters).toBe(HIGHLIGHT_LIMITS.characters - 10);
  });

  it('keeps every character of any code, in order (property)', () => {
    const text = (children: ElementContent[]): string =>
      children.map((child) => (child.type === 'text' ? child.value : child.type === 'element' ? text(child.children) : '')).join('');
    fc.assert(
      fc.property(
        fc.constantFrom('ts', 'html', 'md', 'python', 'sh', 'diff', 'json', 'css'),
        fc.string({
          unit: fc.constantFrom('a', ' ', '\n', '\r\n', '\t', '"', "'", '`', '<', '>', '/', '*', '#', '{', '}', '$', '😀', 'é', '\\'),
          maxLength: 200,
        }),
        (lang, code) => {
          const children = highlightCode(code, lang, { characters: Infinity, deadline: Infinity, lineLength: Infinity });
          expect(children).toBeDefined();
          expect(text(children!)).toBe(code);
        },
      ),
      { numRuns: 300 },
    );
  }, 30_000);
});

describe('feeds carry plain code', () => {
  beforeEach(() => resetDatabase());

  it('removeCodeHighlighting gives back the plain block, and leaves a writer’s look-alike text alone', async () => {
    const code = 'const x = "<span class=\\"tok-keyword\\">y</span>"; // <b>';
    const html = await renderPostMarkdown(`Intro\n\n${fence('ts', code)}`);
    expect(html).toContain('tok-');
    expect(removeCodeHighlighting(html)).toBe(
      '<p>Intro</p>\n<pre tabindex="0"><code class="language-ts">const x = "&#x3C;span class=\\"tok-keyword\\">y&#x3C;/span>"; // &#x3C;b>\n</code></pre>',
    );
  });

  it.each(['rss', 'atom', 'json'] as const)('the %s feed has the post’s code without token spans', async (format) => {
    await makePost({ title: 'Code', body: `Look:\n\n${fence('ts', 'const answer = 42;')}` });
    const feed = await (await feedResponse(new Request('https://blog.example.test/feed'), format)).text();
    expect(feed).not.toContain('tok-');
    expect(feed).toMatch(/language-ts.*const answer = 42;/);
  });
});

describe('HTML stored before highlighting', () => {
  beforeEach(() => resetDatabase());
  const setPost = (id: number, values: { body?: string; html: string }) =>
    transaction((tx) => tx.update(posts).set(values).where(eq(posts.id, id)));
  const postRow = async (id: number) =>
    (await getDb().select({ html: posts.html, updatedAt: posts.updatedAt }).from(posts).where(eq(posts.id, id)))[0]!;
  const commentHtml = async (id: number) =>
    (await getDb().select({ html: comments.html }).from(comments).where(eq(comments.id, id)))[0]!.html;

  it('is rendered again once, on start, keeping rows edited meanwhile and Markdown now refused', async () => {
    const code = await makePost({ body: `Intro\n\n${fence('ts', 'const a = 1;')}` });
    const plain = await makePost({ body: 'No code here.' });
    const post = await makePost({ body: 'For comments.' });
    const comment = await makeComment(post.slug, { body: fence('sh', 'echo hi') });
    // As an older pipeline stored them.
    const old = '<p>Intro</p>\n<pre tabindex="0"><code class="language-ts">const a = 1;\n</code></pre>';
    await setPost(code.id, { html: old });
    await transaction((tx) => tx.update(comments).set({ html: '<pre><code>echo hi\n</code></pre>' }).where(eq(comments.id, comment.id)));
    const plainHtml = (await postRow(plain.id)).html;
    const { updatedAt } = await postRow(code.id);

    expect(await renderStaleHtml()).toBe(2);
    const row = await postRow(code.id);
    expect(row.html).toContain('<span class="tok-keyword">const</span>');
    expect(row.updatedAt).toBe(updatedAt);
    expect(await commentHtml(comment.id)).toContain('tok-function');
    expect((await postRow(plain.id)).html).toBe(plainHtml);
    const version = (await getDb().select().from(settings)).find((s) => s.key === 'markdown_render_version');
    expect(version?.value).toBe(String(MARKDOWN_RENDER_VERSION));

    // Recorded: the next start does nothing, even with old HTML about.
    await setPost(code.id, { html: old });
    expect(await renderStaleHtml()).toBe(0);
    expect((await postRow(code.id)).html).toBe(old);
  });

  it('renders again a post whose footnote ids were prefixed twice (version 3)', async () => {
    const post = await makePost({ body: 'Text[^a].\n\n[^a]: Note.' });
    const doubled = (await postRow(post.id)).html.replaceAll('id="user-content-', 'id="user-content-user-content-');
    await setPost(post.id, { html: doubled });
    expect(await renderStaleHtml()).toBe(1);
    expect((await postRow(post.id)).html).toContain('id="user-content-fn-a"');
  });

  it('keeps the old HTML of Markdown the pipeline now refuses', async () => {
    const post = await makePost({ body: fence('ts', 'let a = 1;') });
    const deep = `${'> '.repeat(40)}x\n\n${fence('ts', 'let a = 1;')}`;
    await setPost(post.id, { body: deep, html: '<p>old</p>' });
    expect(await renderStaleHtml()).toBe(0);
    expect((await postRow(post.id)).html).toBe('<p>old</p>');
  });
});
