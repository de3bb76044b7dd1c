import fs from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import type { Nodes } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';

/*
 * The docs link to each other by file and by heading. Moving a section breaks such links silently on
 * GitHub, so every relative link and #anchor in the README, CONTRIBUTING and docs/ must resolve: to a
 * file in the repository and, for an anchor, to a heading there, slugged the way GitHub slugs it.
 * Every `npm run` script they name must exist too.
 */

const ROOT = process.cwd();
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

const parse = (markdown: string) => unified().use(remarkParse).use(remarkGfm).parse(markdown);

function walk(node: Nodes, visit: (node: Nodes) => void): void {
  visit(node);
  if ('children' in node) for (const child of node.children) walk(child, visit);
}

/** A heading's text as GitHub renders it: inline code and link text included, markup dropped. */
function plainText(node: Nodes): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  return 'children' in node ? node.children.map(plainText).join('') : '';
}

/** The anchors GitHub gives a Markdown file's headings, in order (a repeated heading gets `-1`, `-2` ...). */
function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  walk(parse(markdown), (node) => {
    if (node.type === 'heading') anchors.add(slugger.slug(plainText(node)));
  });
  return anchors;
}

/** The addresses in raw HTML's href, src and srcset attributes (the README's <picture> of the blog). */
const htmlLinksOf = (html: string) =>
  [...html.matchAll(/\s(href|src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].flatMap(([, name, double, single]) => {
    const value = (double ?? single)!;
    // A srcset is a list of "url [descriptor]" candidates.
    return name!.toLowerCase() === 'srcset' ? value.split(',').map((candidate) => candidate.trim().split(/\s+/)[0]!) : [value];
  });

/** Every link target in the file: inline links, images, reference definitions and raw HTML's attributes. */
function linksOf(markdown: string): string[] {
  const urls: string[] = [];
  walk(parse(markdown), (node) => {
    if (node.type === 'link' || node.type === 'image' || node.type === 'definition') urls.push(node.url);
    if (node.type === 'html') urls.push(...htmlLinksOf(node.value));
  });
  return urls;
}

const anchorCache = new Map<string, Set<string>>();
const anchorsOfFile = (file: string) => {
  if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(file, 'utf8')));
  return anchorCache.get(file)!;
};

/** The links of `markdown`, read as if it were the repository file `file`, that lead nowhere, with why. */
function brokenLinks(file: string, markdown: string): string[] {
  const broken: string[] = [];
  let ownAnchors: Set<string> | undefined;
  for (const url of linksOf(markdown)) {
    // Other sites (https:, mailto:) are not ours to check.
    if (/^[a-z][a-z\d+.-]*:/i.test(url) || url.startsWith('//')) continue;
    const hash = url.indexOf('#');
    const target = decodeURIComponent(hash === -1 ? url : url.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(url.slice(hash + 1));
    if (target === '') {
      if (!(ownAnchors ??= anchorsOf(markdown)).has(anchor!)) broken.push(`${url}: no heading with the anchor #${anchor} in ${file}`);
      continue;
    }
    // GitHub resolves /x from the repository's root and anything else from the file's folder.
    const resolved = path.join(target.startsWith('/') ? ROOT : path.dirname(path.join(ROOT, file)), target);
    if (path.relative(ROOT, resolved).startsWith('..')) {
      broken.push(`${url}: leaves the repository`);
    } else if (!fs.existsSync(resolved)) {
      broken.push(`${url}: no file ${path.relative(ROOT, resolved)}`);
    } else if (anchor !== undefined) {
      if (!resolved.endsWith('.md')) broken.push(`${url}: an anchor into a file that is not Markdown`);
      else if (!anchorsOfFile(resolved).has(anchor))
        broken.push(`${url}: no heading with the anchor #${anchor} in ${path.relative(ROOT, resolved)}`);
    }
  }
  return broken;
}

/** The scripts named as `npm run [flags] <script>`, `npm start` or `npm test`, in prose and code alike. */
function npmScriptsOf(markdown: string): string[] {
  const named = [...markdown.matchAll(/\bnpm\s+run(?:\s+--?[a-z-]+)*\s+([\w:][\w:.-]*)/g)].map((match) => match[1]!);
  return [...named, ...[...markdown.matchAll(/\bnpm\s+(start|test)\b/g)].map((match) => match[1]!)];
}

describe('the link checker', () => {
  it('finds a missing file, a missing heading and an escape, and takes GitHub’s anchors for the rest', () => {
    const markdown = [
      '# Title with `code` = and, punctuation!',
      '## Title with `code` = and, punctuation!',
      '[self](#title-with-code--and-punctuation) [again](#title-with-code--and-punctuation-1)',
      '[ok](security.md#behind-a-reverse-proxy-or-cdn-trust_proxy) [file](../README.md) [web](https://example.com/#x)',
      '[gone](nowhere.md) [no heading](security.md#no-such-heading) [own](#not-here) [out](../../etc/passwd)',
      '',
      '<picture><source srcset="images/dark.webp 2x, scaling.md 1x" media="(prefers-color-scheme: dark)"><img src=\'../README.md\' alt=""></picture>',
      '```md',
      '[in a code block](ignored.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('docs/example.md', markdown)).toEqual([
      'nowhere.md: no file docs/nowhere.md',
      'security.md#no-such-heading: no heading with the anchor #no-such-heading in docs/security.md',
      '#not-here: no heading with the anchor #not-here in docs/example.md',
      '../../etc/passwd: leaves the repository',
      'images/dark.webp: no file docs/images/dark.webp',
    ]);
  });

  it('reads script names past npm’s flags', () => {
    expect(
      npmScriptsOf('`npm run -s db:backup`, npm run bench -- --posts 10, npm start and `npm test`; an `npm run` or `npm run -s` alone'),
    ).toEqual(['db:backup', 'bench', 'start', 'test']);
  });
});

describe.each(DOCS)('%s', (file) => {
  const markdown = fs.readFileSync(path.join(ROOT, file), 'utf8');

  it('links only to files and headings that exist', () => {
    expect(brokenLinks(file, markdown)).toEqual([]);
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts);
    expect(npmScriptsOf(markdown).filter((script) => !scripts.includes(script))).toEqual([]);
  });
});
