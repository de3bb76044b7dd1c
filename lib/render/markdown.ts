import os from 'node:os';
import v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Root } from 'hast';
import { toHtml } from 'hast-util-to-html';
import { AppError, fieldError } from '@/lib/errors';
import type { RenderKind, RenderOutcome, RenderTask, VisibleContent } from '@/lib/render/markdown-pipeline';
import { WorkerPool, isWorkerLimitError, isWorkerPoolBusyError } from '@/lib/render/worker-pool';

/*
 * Markdown is rendered once, when a post or comment is written, and the HTML is stored (the
 * pipelines and the sanitiser are in lib/render/markdown-pipeline.ts). Parsing some inputs takes time that
 * grows faster than their length (60,000 characters of `a\n=\n` took a minute), so every render
 * runs in a worker thread with a time limit: the server's thread stays free, and an input that
 * takes too long is refused as an invalid body.
 */

/**
 * How long one render may take: the worker thread's CPU time where the system tells it (Linux), so a
 * saturated machine does not make ordinary text "too long to format", and at most WALL_LIMIT_FACTOR
 * times this in wall-clock time (lib/render/worker-pool.ts). A 60,000-character post of ordinary
 * Markdown renders in 0.2-0.4 s here and a 5,000-character comment in a few milliseconds (0.2 s for
 * the slowest shapes found, and for a worker's first code block), so the limits leave ten times that
 * or more for a slower machine, and bound what one request can cost: posts (and their search text)
 * come from signed-in authors only.
 */
export const RENDER_TIME_LIMIT_MS = { comment: 2_000, post: 5_000 } as const;

/**
 * A post longer than 64 KiB (POST_MAX_BYTES allows 1 MiB) gets 15 ms more a KiB: ordinary Markdown
 * renders at about 5 ms a KiB here (a 1 MiB post of headings, lists, links and code in 4-5 s), so
 * the limit (20 s at 1 MiB) still leaves it three times that and more. Comments are 5,000 characters.
 */
export function renderTimeLimitMs(kind: RenderKind, markdown: string): number {
  if (kind === 'comment') return RENDER_TIME_LIMIT_MS.comment;
  return RENDER_TIME_LIMIT_MS.post + Math.max(0, Math.ceil(markdown.length / 1024) - 64) * 15;
}

/**
 * Two workers at most (one on a single core): renders are short, and a second worker keeps
 * ordinary renders going while another one runs into its limit. It starts only then, when a render
 * waits behind one that has run for 100 ms of CPU time (no comment takes that long; a long post
 * may), or when 32 renders wait beyond the four a worker is given at once, which one worker is not
 * keeping up with. A comment storm is not that: the server's thread does more per comment than the
 * render, and in alternating runs of 32 connections commenting on one post, one worker served as
 * many comments a second as two, with 35 MB less memory. Giving a worker four renders at once keeps
 * it busy while this thread, serving other requests, is slow to read each answer. The second worker
 * stops after a minute without work: each costs 20-30 MB. Tasks beyond those wait in a bounded
 * queue for a bounded time, then are refused with a 503.
 *
 * The queue has two lanes (lib/render/worker-pool.ts): the author's renders go first, and readers'
 * comments take turns by address, four waiting at most per address. A reader's render is bounded
 * (a comment's highlighting stops at its deadline, lib/render/markdown-pipeline.ts), so while one
 * address floods the pool with slow comments, another reader waits for the renders already running
 * and no more, and the author for no reader at all beyond those.
 */
export const RENDER_POOL = {
  size: Math.min(2, os.availableParallelism()),
  pipeline: 4,
  maxQueue: 64,
  maxQueuePerKey: 4,
  maxWaitMs: 10_000,
  spareAfterMs: 100,
  spareQueue: 32,
  spareIdleMs: 60_000,
} as const;

/**
 * A worker's heap: an ordinary 60,000-character post needs under 64 MB, the heaviest shape measured
 * (15,000 one-line list items) about 200 MB. An input that needs more is refused like a slow one.
 * Its young generation stays small (4 MB rather than the server's 16): a render's short-lived
 * objects are collected a little more often instead.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 4 } as const;

/**
 * V8's heap flags belong to the process, and a flag beats a worker's resourceLimits: with the
 * server's `--max-semi-space-size=8` (npm start) every worker got a 16 MB young generation whatever
 * WORKER_HEAP said. V8 reads the flag only when it creates a heap, so clearing it once the server's
 * own heap exists leaves the server's as it is and lets WORKER_HEAP size each worker's.
 */
function releaseSemiSpaceFlag(): void {
  v8.setFlagsFromString('--max-semi-space-size=0');
}

/*
 * Next bundles the worker entry (Turbopack rewrites this `new Worker(new URL(...))` to the built
 * file; process.env.NEXT_RUNTIME is set in every Next bundle). Vitest, tsx scripts and the
 * benchmark run this file from its TypeScript source, and Node 20 applies no `--import` loader to a
 * worker's entry, so there the worker registers tsx itself before importing the same entry.
 */
function spawnRenderWorker(): Worker {
  releaseSemiSpaceFlag();
  const options: WorkerOptions = { name: 'quire-markdown', resourceLimits: WORKER_HEAP };
  if (process.env.NEXT_RUNTIME) return new Worker(new URL('./markdown-worker.ts', import.meta.url), options);
  const entry = new URL('markdown-worker.ts', import.meta.url).href;
  const source = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(source, { ...options, eval: true });
}

// One pool per process, however many bundles include this module.
const globalForMarkdown = globalThis as typeof globalThis & {
  quireMarkdownPool?: WorkerPool<RenderTask, RenderOutcome>;
};

function renderPool() {
  globalForMarkdown.quireMarkdownPool ??= new WorkerPool({ spawn: spawnRenderWorker, ...RENDER_POOL });
  return globalForMarkdown.quireMarkdownPool;
}

/** Stops the render workers (they never keep the process alive, and die with it; this is for an orderly shutdown). */
export async function closeMarkdownWorkers(): Promise<void> {
  const pool = globalForMarkdown.quireMarkdownPool;
  globalForMarkdown.quireMarkdownPool = undefined;
  await pool?.close();
}

/** Every Markdown field of the API is called `body`. */
const tooDeep = () => fieldError('body', 'The text nests quotes, lists or emphasis too deeply to display; nest them less deeply.');
const tooSlow = () => fieldError('body', 'This text takes too long to format; simplify it.');

/**
 * The worker's outcome, or `too-slow` when the render reached its time or memory limit. `reader`: who
 * the render is for when a reader asks (the key of their rate limit), so it waits for its turn among
 * readers; without it the render is the author's (their own comments and edits, imports), which go first.
 */
async function attempt(task: RenderTask, reader?: string): Promise<RenderOutcome | { ok: false; reason: 'too-slow' }> {
  try {
    return await renderPool().run(task, renderTimeLimitMs(task.kind, task.markdown), reader);
  } catch (error) {
    if (isWorkerLimitError(error)) return { ok: false, reason: 'too-slow' };
    if (isWorkerPoolBusyError(error)) {
      throw new AppError('unavailable', 'The server is busy formatting other text. Please try again in a moment.', {
        headers: { 'Retry-After': '5' },
      });
    }
    throw error;
  }
}

async function render(
  kind: RenderKind,
  markdown: string,
  reader?: string,
): Promise<{ html: string; text: string; summary?: string; visible?: VisibleContent }> {
  const outcome = await attempt({ kind, markdown }, reader);
  if (!outcome.ok) throw outcome.reason === 'too-slow' ? tooSlow() : tooDeep();
  const { html, text, summary, visible } = outcome;
  return { html, text, summary, visible };
}

export async function renderPostMarkdown(markdown: string): Promise<string> {
  return (await render('post', markdown)).html;
}

/** A comment's HTML; `reader` as in renderComment. */
export async function renderCommentMarkdown(markdown: string, reader?: string): Promise<string> {
  return (await render('comment', markdown, reader)).html;
}

/**
 * A comment's HTML and what a reader sees of it, which the spam checks judge (lib/comments/spam-policy.ts).
 * `reader`: the address a reader's comment or edit came from (see attempt); without it, the author's.
 */
export async function renderComment(markdown: string, reader?: string): Promise<{ html: string; visible: VisibleContent }> {
  const { html, visible } = await render('comment', markdown, reader);
  return { html, visible: visible! };
}

/**
 * The HTML of a comment the blog accepted once, for an import, which must never refuse what the same
 * blog exported: a comment accepted under older limits (nesting, the cost of highlighting) would
 * otherwise stop the whole import. The export carries no HTML to keep, and should not: HTML in a file
 * anyone can edit is untrusted input to sanitise again, for what the Markdown already says. Nor is the
 * time limit lifted: a crafted file could then hold the import for minutes a comment. So the Markdown
 * is rendered as usual; past the time limit, again with its code plain (highlighting is what a fence
 * adds to the cost); and if that is refused too, its text is kept as escaped paragraphs.
 */
export async function renderAcceptedComment(markdown: string): Promise<string> {
  let outcome = await attempt({ kind: 'comment', markdown });
  if (!outcome.ok && outcome.reason === 'too-slow' && /```|~~~/.test(markdown)) {
    outcome = await attempt({ kind: 'comment', markdown, highlight: false });
  }
  return outcome.ok ? outcome.html : plainParagraphs(markdown);
}

/** Text as HTML paragraphs (split at blank lines), every character escaped by hast-util-to-html. */
function plainParagraphs(text: string): string {
  const paragraphs = text
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
  const tree: Root = {
    type: 'root',
    children: paragraphs.flatMap((paragraph, i) => [
      ...(i > 0 ? [{ type: 'text' as const, value: '\n' }] : []),
      { type: 'element' as const, tagName: 'p', properties: {}, children: [{ type: 'text' as const, value: paragraph }] },
    ]),
  };
  return toHtml(tree);
}

/**
 * A post's HTML, its plain text (for the word count and search index) and its automatic summary
 * (lib/render/markdown-pipeline.ts), from one parse.
 */
export async function renderPost(markdown: string): Promise<{ html: string; text: string; summary: string }> {
  const { html, text, summary } = await render('post', markdown);
  return { html, text, summary: summary! };
}

/** Text cut to `maxLength` characters at most, marked with an ellipsis where it was cut. */
export function truncateText(text: string, maxLength = 160): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1).trimEnd()}…`;
}

/** Plain text of a Markdown document (code, images and raw HTML left out), cut to `maxLength`. */
export async function markdownToPlainText(markdown: string, maxLength = 160): Promise<string> {
  return truncateText((await render('plain-text', markdown)).text, maxLength);
}
