/*
 * Entry of the Markdown render workers started by lib/render/markdown.ts (a separate bundle in the
 * Next build). Renders one document at a time; the pool decides when it has taken too long.
 */
import { type RenderTask, renderMarkdown } from '@/lib/render/markdown-pipeline';
import { serveWorkerTasks } from '@/lib/render/worker-pool';

serveWorkerTasks(({ kind, markdown, highlight }: RenderTask) => renderMarkdown(kind, markdown, { highlight }));
