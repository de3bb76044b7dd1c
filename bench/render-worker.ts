/*
 * Renders post Markdown off the main thread while it inserts rows: Markdown rendering is most of
 * the cost of seeding, and this is the app's own pipeline (lib/render/markdown-pipeline.ts, which
 * lib/render/markdown.ts runs in its workers), so the stored HTML and text are exactly what createPost
 * would store.
 */
import { parentPort } from 'node:worker_threads';
import { renderMarkdown } from '@/lib/render/markdown-pipeline';

parentPort!.on('message', ({ id, bodies }: { id: number; bodies: string[] }) => {
  const rendered = bodies.map((body) => {
    const outcome = renderMarkdown('post', body);
    if (!outcome.ok) throw new Error('A generated post nests too deeply to render.');
    return { html: outcome.html, text: outcome.text, summary: outcome.summary! };
  });
  parentPort!.postMessage({ id, rendered });
});
