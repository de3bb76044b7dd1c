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
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
