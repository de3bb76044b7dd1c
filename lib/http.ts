import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { type CacheKey, cached } from '@/lib/cache';
import { AppError, type FieldError, notFound } from '@/lib/errors';
import { CLIENT_ADDRESS_HEADER } from '@/server/edge.mjs';

/** Request bodies larger than this are refused before they are fully read. */
export const MAX_BODY_BYTES = 64 * 1024;

export type RouteContext<Params> = { params: Promise<Params> };
type Handler<Params> = (request: Request, context: RouteContext<Params>) => Response | Promise<Response>;

export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Cache-Control', headers.get('Cache-Control') ?? 'no-store');
  return Response.json(data, { ...init, headers });
}

/** Whether an If-None-Match header names this entity tag (weak comparison, RFC 9110 §13.1.2). */
function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

interface CacheSpec {
  /** Everything the answer depends on: the resource and its query. */
  key: CacheKey;
  /** The data it shows (lib/cache.ts); writes to that data expire it. */
  tags: string[];
  contentType?: string;
}

/**
 * A public GET answer built once per cache entry, then served from memory with its ETag until
 * a write expires its tags. Clients revalidate every time (`no-cache`) and get 304 while it is
 * unchanged, so a reader sees their own comment on the next request. Errors are never cached.
 */
export async function cachedResponse(request: Request, spec: CacheSpec, render: () => string | Promise<string>): Promise<Response> {
  // Responses are kept apart from the data that pages cache under the same kind of key.
  const [kind, ...inputs] = spec.key;
  const { body, etag } = await cached([`response:${kind}`, ...inputs], spec.tags, async () => {
    const body = await render();
    return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
  });
  const headers = { 'Cache-Control': 'public, no-cache', ETag: etag };
  if (matchesEtag(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { headers: { ...headers, 'Content-Type': spec.contentType ?? 'application/json' } });
}

export const cachedJson = (request: Request, spec: CacheSpec, load: () => unknown) =>
  cachedResponse(request, spec, () => JSON.stringify(load()));

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
  if (error instanceof Error && 'code' in error && error.code === 'SQLITE_BUSY') {
    return problem(new AppError('unavailable', 'The database is busy. Please try again in a moment.', { headers: { 'Retry-After': '1' } }));
  }
  console.error('Unhandled error in route handler', error);
  return problem(new AppError('internal', 'Something went wrong on our side. Please try again later.'));
}

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

export type Payload = { kind: 'json' | 'form'; data: unknown };

/**
 * Reads a JSON or urlencoded body, enforcing the size limit while streaming,
 * so an oversized or endless body is cut off instead of buffered.
 */
export async function readPayload(request: Request, accept: { form?: boolean } = {}): Promise<Payload> {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const isJson = mediaType === 'application/json' || mediaType === 'application/merge-patch+json';
  const isForm = accept.form === true && mediaType === 'application/x-www-form-urlencoded';
  if (!isJson && !isForm) {
    const accepted = ['application/json', ...(accept.form ? ['application/x-www-form-urlencoded'] : [])];
    throw new AppError(
      'unsupported_media_type',
      `Send the body as ${accepted.join(' or ')}${mediaType ? `, not ${mediaType}` : ' with a Content-Type header'}.`,
      { headers: { [request.method === 'PATCH' ? 'Accept-Patch' : 'Accept-Post']: accepted.join(', ') } },
    );
  }

  const text = await readText(request);
  if (isForm) return { kind: 'form', data: Object.fromEntries(new URLSearchParams(text)) };
  try {
    return { kind: 'json', data: JSON.parse(text) as unknown };
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
}

async function readText(request: Request): Promise<string> {
  const bytes = await readBytes(request, MAX_BODY_BYTES);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('bad_request', 'The request body is not valid UTF-8.');
  }
}

/** The whole body, cut off with 413 as soon as it passes `limit` bytes (an upload's own limit). */
export async function readBytes(request: Request, limit: number): Promise<Buffer> {
  const tooLarge = new AppError('payload_too_large', `The request body must be at most ${formatBytes(limit)}.`);
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw tooLarge;
  if (!request.body) return Buffer.alloc(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // A client that breaks off mid-body (a lying Content-Length, a dropped connection) sent a bad request.
    const { done, value } = await reader.read().catch(() => {
      throw new AppError('bad_request', 'The request body ended before it was complete.');
    });
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const formatBytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);

/** Validates input with a shared zod schema; failures list every field with its reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: 'Unknown field.' }))
      : [{ field: issue.path.map(String).join('.'), message: issue.message }],
  );
  throw new AppError('validation', `The request has ${errors.length === 1 ? 'an invalid field' : `${errors.length} invalid fields`}.`, {
    errors,
  });
}

/** Query strings use the same zod schemas as bodies. */
export function parseQuery<S extends z.ZodType>(schema: S, request: Request): z.output<S> {
  return parseInput(schema, Object.fromEntries(new URL(request.url).searchParams));
}

export async function parseBody<S extends z.ZodType>(
  schema: S,
  request: Request,
  accept: { form?: boolean } = {},
): Promise<{ kind: Payload['kind']; data: z.output<S> }> {
  const payload = await readPayload(request, accept);
  if (payload.kind === 'json' && (typeof payload.data !== 'object' || payload.data === null || Array.isArray(payload.data))) {
    throw new AppError('bad_request', 'The request body must be a JSON object.');
  }
  return { kind: payload.kind, data: parseInput(schema, payload.data) };
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

export function isFormPost(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/**
 * The client's address for rate limits, as Quire's server (server/edge.mjs) worked it out from the
 * socket and the proxies TRUST_PROXY names. A client cannot set it: the server replaces the header.
 */
export function clientAddress(request: Request): string {
  return request.headers.get(CLIENT_ADDRESS_HEADER) || 'unknown';
}

const SITE_BASE = 'http://site.invalid';

/**
 * A path on this site for `next` parameters and redirects, or `fallback`. Browsers strip tabs and
 * newlines from URLs and read `\\` as `/`, so `/\t/evil.example` would leave the site: anything
 * with control characters, whitespace or a backslash is refused, and what remains must resolve to
 * this site's origin. The result is percent-encoded (a header holds only Latin-1).
 */
export function localPath(path: unknown, fallback: string): string {
  if (typeof path !== 'string' || !path.startsWith('/') || /[\u0000-\u0020\u007f-\u00a0\\\u2028\u2029]/.test(path)) return fallback;
  let url: URL;
  try {
    url = new URL(path, SITE_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== SITE_BASE) return fallback;
  const local = `${url.pathname}${url.search}${url.hash}`;
  return local.startsWith('//') ? fallback : local;
}

/** Ids in URLs are positive integers; anything else cannot name a resource, so it is a 404. */
export function parseId(value: string, what: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value)) throw notFound(what);
  return Number(value);
}
