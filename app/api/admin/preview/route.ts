import { requireAdmin } from '@/lib/auth';
import { json, methodNotAllowed, parseBody, route } from '@/lib/http';
import { renderPostMarkdown } from '@/lib/markdown';
import { previewSchema } from '@/lib/schemas';

export const dynamic = 'force-dynamic';

/** The editor's live preview: the same renderer and sanitiser as a saved post. */
export const POST = route(async (request) => {
  requireAdmin(request);
  const { data } = await parseBody(previewSchema, request);
  return json({ html: await renderPostMarkdown(data.body) });
});

const notAllowed = methodNotAllowed('POST');
export { notAllowed as OPTIONS, notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
