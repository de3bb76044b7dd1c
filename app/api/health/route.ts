import { getDatabaseHealth } from '@/db';
import { json, methodNotAllowed, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** For load balancers and uptime checks: 200 when the database answers. */
export const GET = route(() => json({ status: 'ok', ...getDatabaseHealth() }));

const notAllowed = methodNotAllowed('GET');
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
