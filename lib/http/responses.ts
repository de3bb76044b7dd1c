import { isBusy } from '@/db/sql';
import { AppError } from '@/lib/errors';
import { localPath } from '@/lib/http/local-path';

/* The answers route handlers give: JSON, problem+json for errors, 204, and 303 to a page of this site. */

/** Data to send, never a promise of it: a forgotten `await` would otherwise send `{}`. */
type Sendable<T> = T extends PromiseLike<unknown> ? never : T;

export function json<T>(data: Sendable<T>, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Cache-Control', headers.get('Cache-Control') ?? 'no-store');
  return Response.json(data, { ...init, headers });
}

export function problem(error: AppError): Response {
  return new Response(JSON.stringify(error.toProblem()), {
    status: error.status,
    headers: { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...error.headers },
  });
}

/** Known errors become problem+json; anything else is logged and answered with a 500 that reveals nothing. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AppError) return problem(error);
  // Another process held the write lock past the busy timeout (a long import, say): nothing was
  // written, and trying again shortly will work.
  if (isBusy(error)) {
    return problem(new AppError('unavailable', 'The database is busy. Please try again in a moment.', { headers: { 'Retry-After': '1' } }));
  }
  console.error('Unhandled error in route handler', error);
  return problem(new AppError('internal', 'Something went wrong on our side. Please try again later.'));
}

/**
 * 303 See Other: where a plain HTML form lands after a POST. Only a path on this site is ever
 * sent; anything else (a scheme, `//host`, control characters) becomes the home page.
 */
export function seeOther(location: string, init: HeadersInit = {}): Response {
  const headers = new Headers(init);
  headers.set('Location', localPath(location, '/'));
  headers.set('Cache-Control', 'no-store');
  return new Response(null, { status: 303, headers });
}

export function noContent(): Response {
  return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
}
