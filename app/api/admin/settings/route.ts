import { requireAdmin } from '@/lib/auth/authenticate';
import { json, methodNotAllowed, parseBody, route } from '@/lib/http';
import { getSettings, settingsUpdateSchema, updateSettings } from '@/lib/comments/settings';

export const dynamic = 'force-dynamic';

export const GET = route((request) => {
  requireAdmin(request);
  return json(getSettings());
});

export const PATCH = route(async (request) => {
  requireAdmin(request);
  const { data } = await parseBody(settingsUpdateSchema, request);
  return json(updateSettings(data));
});

const notAllowed = methodNotAllowed('GET', 'PATCH');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as DELETE };
