import { describe, expect, it } from 'vitest';
import { markdownToPlainText, renderCommentMarkdown, renderPostMarkdown } from '@/lib/markdown';

const ATTACKS = [
  '<script>alert(1)</script>',
  '<img src="x" onerror="alert(1)">',
  '[click me](javascript:alert(1))',
  '<a href="javascript:alert(1)">raw link</a>',
  '<iframe src="https://evil.example"></iframe>',
  '![x](javascript:alert(1))',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
];

describe('renderPostMarkdown', () => {
  it('renders GitHub-flavoured Markdown', () => {
    const html = renderPostMarkdown(
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
    expect(html).toContain('<pre tabindex="0"><code class="language-ts">const x = 1;\n</code></pre>');
    expect(html).toContain('<table>');
    expect(html).toContain('<a href="https://example.com">link</a>');
  });

  it.each(ATTACKS)('renders %s inert', (attack) => {
    const html = renderPostMarkdown(attack);
    expect(html).not.toMatch(/<script|onerror|javascript:|<iframe|data:text/i);
  });

  it('keeps safe images', () => {
    expect(renderPostMarkdown('![A cat](https://example.com/cat.jpg)')).toContain('<img src="https://example.com/cat.jpg" alt="A cat">');
  });
});

describe('renderCommentMarkdown', () => {
  it('allows the safe subset and marks links as user content', () => {
    const html = renderCommentMarkdown('*hi* **there** `code`\n\n> quoted\n\n- item\n\n[site](https://example.com)');
    expect(html).toContain('<em>hi</em>');
    expect(html).toContain('<strong>there</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<li>item</li>');
    expect(html).toContain('<a href="https://example.com" rel="nofollow ugc noopener">site</a>');
  });

  it('drops images and headings but keeps their text', () => {
    const html = renderCommentMarkdown('# Big\n\n![alt text](https://example.com/a.png)');
    expect(html).not.toMatch(/<h1|<img/);
    expect(html).toContain('Big');
  });

  it.each(ATTACKS)('renders %s inert', (attack) => {
    expect(renderCommentMarkdown(attack)).not.toMatch(/<script|onerror|javascript:|<iframe|data:text|<img/i);
  });

  it('escapes HTML-looking text', () => {
    expect(renderCommentMarkdown('1 < 2 & "quotes"')).toBe('<p>1 &#x3C; 2 &#x26; "quotes"</p>');
  });

  // Found by tests/fuzz.test.ts: these overflowed the stack (a 500) after seconds of parsing.
  it.each([
    ['comment', renderCommentMarkdown, '>'.repeat(3_000)],
    ['post', renderPostMarkdown, '1. '.repeat(1_700)],
  ] as const)('refuses a %s nested thousands of levels deep as an invalid body', (_kind, render, deep) => {
    expect(() => render(`${deep}x`)).toThrow(
      expect.objectContaining({ code: 'validation', errors: [expect.objectContaining({ field: 'body' })] }),
    );
  });

  it('still renders nesting a person would write, and long horizontal rules', () => {
    expect(renderCommentMarkdown(`${'> '.repeat(16)}deep`)).toContain('<p>deep</p>');
    expect(renderPostMarkdown('> > - nested\n> > - twice')).toContain('<li>twice</li>');
    expect(renderPostMarkdown('* * * * * * * * * * * * * * * * * * * *')).toBe('<hr>');
    expect(() => renderCommentMarkdown(`${'> '.repeat(17)}too deep`)).toThrow(/too deeply/);
  });
});

describe('markdownToPlainText', () => {
  it('strips syntax and truncates on a word boundary marker', () => {
    expect(markdownToPlainText('## Title\n\nSome **bold** [link](https://x.y) text.')).toBe('Title Some bold link text.');
    const long = markdownToPlainText('word '.repeat(100), 20);
    expect(long.length).toBeLessThanOrEqual(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('keeps punctuation and hyphens where the text has them, and leaves out code and images', () => {
    expect(markdownToPlainText('Lives in **one SQLite file**, *well-known* and ~~old~~ `code`.')).toBe(
      'Lives in one SQLite file, well-known and old code.',
    );
    expect(markdownToPlainText('- one\n- two\n\n> quoted\n\n```js\nlet x = 1;\n```\n\n![alt](/a.png) end')).toBe('one two quoted end');
    expect(markdownToPlainText('| a | b |\n| - | - |\n| c | d |')).toBe('a b c d');
  });
});
