import { z } from 'zod';
import { requireAdmin } from '@/lib/auth';
import { json, methodNotAllowed, parseQuery, route } from '@/lib/http';
import { postExists } from '@/lib/posts';
import { slugSchema } from '@/lib/schemas';

export const dynamic = 'force-dynamic';

const querySchema = z.object({
  slug: slugSchema,
  exceptId: z.coerce.number({ error: 'exceptId must be a post id.' }).int().positive().optional(),
});

/** Whether a slug is free, for the editor to say so before saving. */
export const GET = route((request) => {
  requireAdmin(request);
  const { slug, exceptId } = parseQuery(querySchema, request);
  return json({ slug, available: !postExists(slug, exceptId) });
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
