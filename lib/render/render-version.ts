import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { getDb, transaction } from '@/db';
import { comments, posts } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { renderCommentMarkdown, renderPostMarkdown } from '@/lib/render/markdown';
import { readSetting, storeSetting } from '@/lib/settings-store';

/*
 * Post and comment HTML is rendered once, when it is written. When the pipeline's output for the
 * same Markdown changes, the rows written before are rendered again, once, when the server starts
 * (instrumentation.ts), and the database records the version it is at.
 */

/**
 * What the Markdown pipeline makes of a text. 2: fenced code with a known language is highlighted.
 * 3: footnote ids are prefixed once, so the links to and back from a footnote reach it.
 */
export const MARKDOWN_RENDER_VERSION = 3;
const KEY = 'markdown_render_version';

/**
 * Rows versions 2 and 3 change: a fence in the Markdown (``` or ~~~) and no highlighted token in the
 * HTML; or a footnote id prefixed twice. The scan reads every row, once per version; later starts
 * find the version stored. lower(): LIKE ignores case on SQLite, not on PostgreSQL.
 */
const isStale = (table: typeof posts | typeof comments) =>
  sql`((${table.body} LIKE ${'%```%'} OR ${table.body} LIKE ${'%~~~%'}) AND lower(${table.html}) NOT LIKE ${'%class="tok-%'})
    OR ${table.html} LIKE ${'%user-content-user-content-%'}`;

/** Renders that wait in the pool at once: enough to keep its workers busy, few enough never to fill its queue. */
const BATCH = 8;

async function storedVersion(): Promise<number> {
  const stored = await readSetting(KEY);
  return stored ? Number(JSON.parse(stored)) : 1;
}

/**
 * Renders again the posts and comments stored by an older pipeline, keeping each row's old HTML
 * when its Markdown is now refused (too deep or too slow) or was edited meanwhile. Returns how
 * many rows changed. The version is recorded only once every row was rendered, so a render the
 * pool turned away is tried again on the next start.
 */
export async function renderStaleHtml(): Promise<number> {
  if ((await storedVersion()) >= MARKDOWN_RENDER_VERSION) return 0;
  const db = getDb();
  let changed = 0;
  let complete = true;
  for (const [table, render] of [
    [posts, renderPostMarkdown],
    [comments, renderCommentMarkdown],
  ] as const) {
    const rows = await db.select({ id: table.id, body: table.body, html: table.html }).from(table).where(isStale(table));
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      const rendered = await Promise.all(
        batch.map(({ body }) =>
          render(body).catch((error: unknown) => {
            if (!(error instanceof AppError && error.code === 'validation')) complete = false;
            return undefined;
          }),
        ),
      );
      await transaction(async (tx) => {
        for (const [i, { id, body, html }] of batch.entries()) {
          const next = rendered[i];
          if (next === undefined || next === html) continue;
          // Only if the row still holds this Markdown: an edit made meanwhile has its own, newer HTML.
          const updated = await tx
            .update(table)
            .set({ html: next })
            .where(and(eq(table.id, id), eq(table.body, body)))
            .returning({ id: table.id });
          changed += updated.length;
        }
      });
    }
  }
  if (complete) {
    await storeSetting(KEY, JSON.stringify(MARKDOWN_RENDER_VERSION));
  }
  return changed;
}
