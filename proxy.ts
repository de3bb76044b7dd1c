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
  matcher: [
    '/((?!api/|_next/static|_next/image|favicon.ico).*)',
    // Next reads the whole body of a request that passes through the proxy before the route sees any
    // of it, which would undo the API's size limit (lib/http.ts stops reading at 64 KiB). So API
    // requests with a body skip the proxy, unless their path has percent-escapes to check: API
    // paths never need them (slugs are a-z, 0-9 and hyphens; ids are digits).
    {
      source: '/api/:path*',
      missing: [
        { type: 'header', key: 'content-length' },
        { type: 'header', key: 'transfer-encoding' },
      ],
    },
    '/api/(.*%.*)',
  ],
};
