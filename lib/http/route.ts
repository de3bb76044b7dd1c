import { AppError } from '@/lib/errors';
import { errorResponse, problem } from '@/lib/http/responses';

/* The wrapper every route handler is written in, and the answer for the methods a route does not support. */

export type RouteContext<Params> = { params: Promise<Params> };

type Handler<Params> = (request: Request, context: RouteContext<Params>) => Response | Promise<Response>;

/** Wraps a route handler so that every thrown error reaches the client as problem+json. */
export function route<Params = Record<string, never>>(handler: Handler<Params>): Handler<Params> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * The handler for every method a route does not support: 405 naming the allowed ones in `Allow`,
 * as RFC 9110 asks (Next's own 405 is bare). Exported as OPTIONS too, it answers 204 with the same
 * `Allow` (Next's own OPTIONS would also list the methods that answer 405).
 */
export function methodNotAllowed(...allowed: string[]) {
  const allow = [...new Set([...allowed, 'OPTIONS', ...(allowed.includes('GET') ? ['HEAD'] : [])])].sort().join(', ');
  return (request: Request) =>
    request.method === 'OPTIONS'
      ? new Response(null, { status: 204, headers: { Allow: allow } })
      : problem(
          new AppError('method_not_allowed', `${request.method} is not supported here. Allowed: ${allow}.`, {
            headers: { Allow: allow },
          }),
        );
}
