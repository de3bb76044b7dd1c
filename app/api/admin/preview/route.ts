import { requireAdmin } from '@/lib/auth/authenticate';
import { json, methodNotAllowed, parseBody, route } from '@/lib/http';
import { renderPostMarkdown } from '@/lib/render/markdown';
import { previewSchema } from '@/lib/api/requests';

export const dynamic = 'force-dynamic';

/** The editor's live preview: the same renderer and sanitiser as a saved post. */
export const POST = route(async (request) => {
  requireAdmin(request);
  const { data } = await parseBody(previewSchema, request);
  return json({ html: await renderPostMarkdown(data.body) });
});

const notAllowed = methodNotAllowed('POST');
export { notAllowed as OPTIONS, notAllowed as GET, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
