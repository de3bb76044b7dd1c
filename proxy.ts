import { NextResponse } from 'next/server';
import { AppError } from '@/lib/errors';
import { problem } from '@/lib/http';

/**
 * Next answers a path with broken percent-encoding (`/posts/%ZZ`) with a bare 500 while decoding
 * route params; refusing it here turns that into the 400 it is.
 */
export function proxy(request: Request) {
  try {
    decodeURIComponent(new URL(request.url).pathname);
  } catch {
    return problem(new AppError('bad_request', 'The URL is not validly percent-encoded.'));
  }
  return NextResponse.next();
}

export const config = {
  // Only a path with a percent sign can be badly percent-encoded, and no other request needs the
  // proxy: running it costs every page and API request time, and Next reads the whole body of a
  // request that passes through it before the route sees any of it, which would undo the API's
  // 64 KiB limit (lib/http.ts stops reading there). Slugs and ids never need escapes.
  matcher: ['/(.*%.*)'],
};
