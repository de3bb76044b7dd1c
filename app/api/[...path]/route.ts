import { AppError } from '@/lib/errors';
import { route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/**
 * Any /api path that no route answers: API clients get a problem+json 404 like every other API
 * error, not Next's HTML page. Routes with a path of their own always take precedence.
 */
const unknownEndpoint = route(() => {
  throw new AppError('not_found', 'There is no API endpoint at this path. /api/docs lists them all.');
});

export {
  unknownEndpoint as GET,
  unknownEndpoint as POST,
  unknownEndpoint as PUT,
  unknownEndpoint as PATCH,
  unknownEndpoint as DELETE,
  unknownEndpoint as OPTIONS,
};
