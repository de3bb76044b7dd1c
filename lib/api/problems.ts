import { problemSchema } from '@/lib/schema/problem';
import type { ResponseSpec } from '@/lib/api/endpoint';
import { formatBytes } from '@/lib/bytes';
import { MAX_BODY_BYTES } from '@/lib/http/body';

/* The problem+json answers an operation declares, each with what it means for the API's users. */

/** What a 413 means: the operation's `bodyLimit`, or MAX_BODY_BYTES (lib/api/openapi.ts tells each its own). */
export const bodyOver = (limit: number) => `Body over ${formatBytes(limit)}`;

const PROBLEM_TEXT: Record<number, string> = {
  400: 'Malformed JSON or invalid fields (`errors` lists them)',
  401: 'No or invalid credentials',
  403: 'Not allowed: a cross-site request, closed comments, or the wrong kind of credentials',
  404: 'Not found',
  409: 'Conflict, e.g. the slug is taken',
  413: bodyOver(MAX_BODY_BYTES),
  415: 'Unsupported content type',
  429: 'Too many requests (see Retry-After)',
  503: 'The database does not answer or is busy (see Retry-After)',
};

/** What any write can answer: invalid, unauthenticated, refused, too large, or not JSON. */
export const WRITE_PROBLEMS = [400, 401, 403, 413, 415];

export const problems = (...statuses: number[]): Record<number, ResponseSpec> =>
  Object.fromEntries(statuses.map((status) => [status, { description: PROBLEM_TEXT[status] ?? 'Problem', schema: problemSchema }]));
