import type { Element, ElementContent, Root, RootContent } from 'hast';
import { performance } from 'node:perf_hooks';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import { toText } from 'hast-util-to-text';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import type { Nodes as MdastNode, Root as MdastRoot } from 'mdast';
import { type Processor, unified } from 'unified';
import { CODE_TOKEN_CLASSES } from '@/lib/render/code-highlight';
import { highlightBudget, highlightCode } from '@/lib/render/code-highlighter';

/*
 * The Markdown pipelines, synchronous. They run only inside the render workers
 * (lib/render/markdown-worker.ts): some inputs take seconds to parse, and lib/render/markdown.ts, which the app
 * calls, gives each render a time limit that only a worker thread can enforce.
 *
 * Raw HTML in the source is dropped (remark-rehype's default) and the result passes an allow-list
 * sanitiser, so nothing an author or reader types can run script on a page. Fenced code is
 * highlighted before the sanitiser (lib/render/code-highlighter.ts), which lets through only the token
 * classes it writes: a span with any other class, or any style, never gets past it.
 */

/** Highlighted code: a `<span>` may carry token classes, and no other attribute. */
const tokenSpans = { span: [['className', ...CODE_TOKEN_CLASSES]] } satisfies SanitizeSchema['attributes'];

const postSchema: SanitizeSchema = {
  ...defaultSchema,
  attributes: { ...defaultSchema.attributes, ...tokenSpans },
  protocols: { ...defaultSchema.protocols, href: ['http', 'https', 'mailto'], src: ['http', 'https'] },
};

/** Reader comments get a small subset: emphasis, code, links, quotes and lists; no images or headings. */
const commentSchema: SanitizeSchema = {
  ...defaultSchema,
  tagNames: ['p', 'br', 'em', 'strong', 'del', 'code', 'pre', 'span', 'a', 'blockquote', 'ul', 'ol', 'li'],
  attributes: { a: ['href'], code: [], ol: ['start'], ...tokenSpans },
  protocols: { href: ['http', 'https', 'mailto'] },
  clobberPrefix: 'user-content-',
};

/** The allow-lists, for tests that hand them what no Markdown can produce. */
export const SANITIZE_SCHEMAS = { post: postSchema, comment: commentSchema } as const;

/** Calls `fn` on every element of a tree, depth first. */
function eachElement(node: Root | Element, fn: (element: Element) => void): void {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    fn(child);
    eachElement(child, fn);
  }
}

/** Links in reader content are marked so search engines do not count them and opened pages cannot reach back. */
const rehypeUgcLinks = () => (tree: Root) =>
  eachElement(tree, (element) => {
    if (element.tagName === 'a') element.properties.rel = ['nofollow', 'ugc', 'noopener'];
  });

/**
 * A link whose URL the sanitiser removed (`javascript:`, an unknown scheme) is left as an `<a>`
 * without `href`, which looks like a link and goes nowhere: its text stays, the element goes.
 */
function unwrapDeadLinks(node: Root | Element): void {
  const children: (RootContent | ElementContent)[] = [];
  for (const child of node.children) {
    if (child.type === 'element') unwrapDeadLinks(child);
    if (child.type === 'element' && child.tagName === 'a' && child.properties.href === undefined) children.push(...child.children);
    else children.push(child);
  }
  node.children = children;
}
const rehypeUnwrapDeadLinks = () => (tree: Root) => unwrapDeadLinks(tree);

/**
 * The sanitiser prefixes every id with `user-content-`, so none can clobber the page's own; remark-rehype
 * is told to add none itself (it added the same prefix: `id="user-content-user-content-fn-1"`). Footnote
 * links get the prefix here, as their targets did. Other `#` links keep pointing at the page's own ids (`#comments`).
 */
const rehypePrefixFootnoteLinks = () => (tree: Root) =>
  eachElement(tree, (element) => {
    const { href, dataFootnoteRef, dataFootnoteBackref } = element.properties;
    if (element.tagName !== 'a' || typeof href !== 'string' || !href.startsWith('#')) return;
    if (dataFootnoteRef !== undefined || dataFootnoteBackref !== undefined) element.properties.href = `#user-content-${href.slice(1)}`;
  });

/** The text of an element, for labels. */
const textOf = (node: Element): string =>
  node.children.map((child) => (child.type === 'text' ? child.value : child.type === 'element' ? textOf(child) : '')).join('');

/** A task-list checkbox is named by its item's text, so screen readers say what is done (WCAG 4.1.2). */
const rehypeLabelTaskItems = () => (tree: Root) =>
  eachElement(tree, (element) => {
    if (element.tagName !== 'li') return;
    const box =
      element.children.find((child): child is Element => child.type === 'element' && child.tagName === 'input') ??
      element.children
        .filter((child): child is Element => child.type === 'element' && child.tagName === 'p')[0]
        ?.children.find((child): child is Element => child.type === 'element' && child.tagName === 'input');
    if (box?.properties.type === 'checkbox') box.properties.ariaLabel = textOf(element).trim().slice(0, 200) || 'Task';
  });

/** Code blocks may scroll sideways; keyboard users must be able to focus them to scroll (WCAG 2.1.1). */
const rehypeFocusableCode = () => (tree: Root) =>
  eachElement(tree, (element) => {
    if (element.tagName === 'pre') element.properties.tabIndex = 0;
  });

/**
 * How long a render may spend before highlighting stops, counted from its start (parsing included),
 * well inside its limit in lib/render/markdown.ts (post 5 s, comment 2 s): past it, the code left stays
 * plain rather than the text being refused as too slow.
 */
const HIGHLIGHT_TIME_MS = { post: 2_000, comment: 500 } as const;
/** How the render in progress may highlight (a worker renders one document at a time). */
let highlighting: { kind: 'post' | 'comment'; deadline: number } = { kind: 'post', deadline: 0 };

/** Highlights each fenced code block whose language is known (` ```ts `); others stay plain. */
const rehypeHighlightCode = () => (tree: Root) => {
  const budget = highlightBudget(highlighting.kind, highlighting.deadline);
  eachElement(tree, (element) => {
    if (element.tagName !== 'pre') return;
    const code = element.children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');
    if (!code) return;
    const classes = Array.isArray(code.properties.className) ? code.properties.className : [];
    const lang = classes
      .map(String)
      .find((name) => name.startsWith('language-'))
      ?.slice('language-'.length);
    const highlighted = lang === undefined ? undefined : highlightCode(textOf(code), lang, budget);
    if (highlighted) code.children = highlighted;
  });
};

/** Turns off micromark constructs by name (micromark's own `disable` extension). */
function remarkDisable(this: Processor, names: string[]) {
  const data = this.data();
  (data.micromarkExtensions ??= []).push({ disable: { null: names } });
}

const postProcessor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkRehype, { clobberPrefix: '' })
  .use(rehypeHighlightCode)
  .use(rehypeSanitize, postSchema)
  .use(rehypePrefixFootnoteLinks)
  .use(rehypeUnwrapDeadLinks)
  .use(rehypeLabelTaskItems)
  .use(rehypeFocusableCode)
  .use(rehypeStringify);

/*
 * Comments show no headings, and setext headings (a line underlined with = or -) are the one
 * construct whose parse time grows with the square of their number: 5,000 characters of `a\n=\n`
 * took 0.4 s. Without it the underline is text of the paragraph (a `---` line is still a rule).
 */
const commentProcessor = unified()
  .use(remarkParse)
  .use(remarkDisable, ['setextUnderline'])
  .use(remarkGfm, { singleTilde: false })
  .use(remarkRehype)
  .use(rehypeHighlightCode)
  .use(rehypeSanitize, commentSchema)
  .use(rehypeUnwrapDeadLinks)
  .use(rehypeUgcLinks)
  .use(rehypeStringify);

/**
 * Quotes and list items opened on one line (`> > - x`) nest a level each. Real text stays far below
 * this; the parser's time grows with the square of the depth, and it overflows the stack near 1,000.
 */
const MAX_LINE_NESTING = 16;
const LINE_CONTAINERS = /^(?:[ \t]*(?:>|[*+-](?=[ \t])|\d{1,9}[.)](?=[ \t])))+/;
// `* * * * *` is a horizontal rule, not list items.
const THEMATIC_BREAK = /^[ \t>]*([*_-])(?:[ \t]*\1){2,}[ \t]*$/;

function nestsTooDeeply(markdown: string): boolean {
  return markdown.split('\n').some((line) => {
    const prefix = LINE_CONTAINERS.exec(line)?.[0] ?? '';
    const markers = prefix.match(THEMATIC_BREAK.test(line) ? />/g : />|[*+-]|\d+[.)]/g);
    return (markers?.length ?? 0) > MAX_LINE_NESTING;
  });
}

/** What a render produces: `post` gives both, `comment` the HTML and what it shows, `plain-text` the text. */
export type RenderKind = 'post' | 'comment' | 'plain-text';

/** What a reader sees of a comment's HTML: the spam checks judge this, not the Markdown (lib/comments/spam-policy.ts). */
export interface VisibleContent {
  /** The text as displayed (hast-util-to-text: entities decoded, markup gone, code kept), blocks on lines of their own. */
  text: string;
  /** The address of each link the sanitised HTML keeps. */
  hrefs: string[];
  /** The links' own text, so that an address shown as a link's text is not counted twice. */
  linkText: string;
}

export type RenderOutcome =
  { ok: true; html: string; text: string; summary?: string; visible?: VisibleContent } | { ok: false; reason: 'too-deep' };

/** One render: `highlight: false` leaves fenced code plain (lib/render/markdown.ts, for a comment too slow to highlight). */
export interface RenderTask {
  kind: RenderKind;
  markdown: string;
  highlight?: boolean;
}

/**
 * Read from the sanitised tree: a link counts however the Markdown spelled it (by reference, with
 * entities), and one the sanitiser dropped (`javascript:`) does not.
 */
function visibleContent(tree: Root): VisibleContent {
  const links: Element[] = [];
  eachElement(tree, (element) => {
    if (element.tagName === 'a' && element.properties.href !== undefined) links.push(element);
  });
  return {
    text: toText(tree),
    hrefs: links.map((link) => String(link.properties.href)),
    linkText: links.map((link) => toText(link)).join('\n'),
  };
}

/**
 * Parses once, refusing nesting too deep to parse, and makes what `kind` asks for: the sanitised
 * HTML and/or the plain text of the syntax tree.
 */
export function renderMarkdown(
  kind: RenderKind,
  markdown: string,
  { highlight = true }: Pick<RenderTask, 'highlight'> = {},
): RenderOutcome {
  if (kind !== 'plain-text' && nestsTooDeeply(markdown)) return { ok: false, reason: 'too-deep' };
  const budgetKind = kind === 'comment' ? 'comment' : 'post';
  // highlight: false (an import's retry of a comment too slow to highlight) leaves every block plain.
  highlighting = { kind: budgetKind, deadline: highlight ? performance.now() + HIGHLIGHT_TIME_MS[budgetKind] : -Infinity };
  const processor = kind === 'comment' ? commentProcessor : postProcessor;
  try {
    const tree = processor.parse(markdown);
    const text = kind === 'comment' ? '' : plainTextOf(tree);
    if (kind === 'plain-text') return { ok: true, html: '', text };
    // Read before runSync: the tree is the Markdown's, its paragraphs and headings still apart.
    const summary = kind === 'post' ? summaryOf(tree, text) : undefined;
    const hast = processor.runSync(tree);
    const html = String(processor.stringify(hast));
    return kind === 'comment' ? { ok: true, html, text, visible: visibleContent(hast) } : { ok: true, html, text, summary };
  } catch (error) {
    // Deeper nesting that the check cannot see (lists by indentation, emphasis in emphasis) still
    // overflows the stack: the writer's input, not our failure.
    if (error instanceof RangeError && /call stack/i.test(error.message)) return { ok: false, reason: 'too-deep' };
    throw error;
  }
}

/** Left out of plain text: code blocks, images and raw HTML are not prose. */
const NOT_PROSE = new Set(['code', 'html', 'image', 'imageReference', 'definition', 'footnoteDefinition']);
/** Inline containers: their text runs on without a break. */
const PHRASING = new Set(['emphasis', 'strong', 'delete', 'link', 'linkReference']);

/**
 * The text of a syntax tree (so `**bold**,` stays `bold,` and `well-known` keeps its hyphen),
 * blocks separated by a space.
 */
function plainTextOf(tree: MdastRoot): string {
  const parts: string[] = [];
  const collect = (node: MdastNode): void => {
    if (NOT_PROSE.has(node.type)) return;
    if (node.type === 'text' || node.type === 'inlineCode') parts.push(node.value);
    else if (node.type === 'break') parts.push(' ');
    else if ('children' in node) {
      for (const child of node.children) collect(child);
      if (!PHRASING.has(node.type)) parts.push(' ');
    }
  };
  collect(tree);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** The longest automatic summary, ellipsis included: what search engines show of a meta description. */
export const SUMMARY_MAX_LENGTH = 160;
/** An opening shorter than this ("Hello!", "A short note.") is joined by the next paragraph. */
const SUMMARY_MIN_LENGTH = 50;

/**
 * A post's automatic summary: its first paragraph of prose, with the next ones while it is very
 * short, cut at a word boundary. Headings, code, lists, tables and quotes are not an opening; a post
 * with no paragraph at all falls back to its whole plain text.
 */
function summaryOf(tree: MdastRoot, text: string): string {
  let opening = '';
  for (const node of tree.children) {
    if (node.type !== 'paragraph') continue;
    const paragraph = plainTextOf({ type: 'root', children: [node] });
    if (paragraph) opening = opening ? `${opening} ${paragraph}` : paragraph;
    if (opening.length >= SUMMARY_MIN_LENGTH) break;
  }
  return cutAtWord(opening || text, SUMMARY_MAX_LENGTH);
}

const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
/** Left off the end of a cut: spaces, and punctuation that leads on (commas, dashes, opening brackets and quotes). */
const DANGLING = /[\s\p{Po}\p{Pd}\p{Ps}\p{Pi}]+$/u;

/**
 * `text` as it is when it fits in `maxLength` characters, else cut at the last word boundary that
 * leaves room for an ellipsis. Intl.Segmenter finds the boundaries, so Chinese and Japanese, written
 * without spaces, are cut between words too; a single word longer than the room is cut by characters.
 */
export function cutAtWord(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const room = maxLength - 1;
  let end = 0;
  for (const { index, segment } of wordSegmenter.segment(text)) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  let kept = text.slice(0, end).replace(DANGLING, '');
  // One word longer than the room (a long address): whole characters, never half a surrogate pair.
  if (!kept) {
    for (const char of text) {
      if (kept.length + char.length > room) break;
      kept += char;
    }
  }
  return `${kept}…`;
}
