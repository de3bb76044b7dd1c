/*
 * Entry of the Markdown render workers started by lib/render/markdown.ts (a separate bundle in the
 * Next build). Renders one document at a time; the pool decides when it has taken too long.
 */
import { type RenderKind, renderMarkdown } from '@/lib/render/markdown-pipeline';
import { serveWorkerTasks } from '@/lib/render/worker-pool';

serveWorkerTasks(({ kind, markdown }: { kind: RenderKind; markdown: string }) => renderMarkdown(kind, markdown));
