import { getDatabaseHealth } from '@/db';
import { AppError } from '@/lib/errors';
import { json, methodNotAllowed, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** For load balancers and uptime checks: 200 with the migration version when the database answers, else 503. */
export const GET = route(() => {
  let health;
  try {
    health = getDatabaseHealth();
  } catch (error) {
    console.error('Health check: the database does not answer', error);
    throw new AppError('unavailable', 'The database does not answer.', { headers: { 'Retry-After': '5' } });
  }
  return json({ status: 'ok', ...health });
});

const notAllowed = methodNotAllowed('GET');
export { notAllowed as OPTIONS, notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
