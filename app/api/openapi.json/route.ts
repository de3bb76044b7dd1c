import { json, methodNotAllowed, route } from '@/lib/http';
import { buildOpenApiDocument } from '@/lib/api/openapi';

export const dynamic = 'force-dynamic';

/** The OpenAPI 3.1 document of this API. */
export const GET = route(() => json(buildOpenApiDocument(), { headers: { 'Cache-Control': 'public, max-age=300' } }));

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
