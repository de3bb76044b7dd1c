/*
 * Renders post Markdown off the main thread while it inserts rows: Markdown rendering is most of
 * the cost of seeding, and this is the app's own renderer (lib/markdown.ts), so the stored HTML is
 * exactly what createPost would store.
 */
import { parentPort } from 'node:worker_threads';
import { renderPostMarkdown } from '@/lib/markdown';

parentPort!.on('message', ({ id, bodies }: { id: number; bodies: string[] }) => {
  parentPort!.postMessage({ id, html: bodies.map(renderPostMarkdown) });
});
