import type { z } from 'zod';
import { AppError, type FieldError, notFound } from '@/lib/errors';
import { MAX_ID } from '@/db/enums';
import { formatBytes } from '@/lib/bytes';

/* Reading what a request sends: bodies within their size limit, validated with the shared zod schemas. */

/**
 * Request bodies larger than this are refused before they are fully read, unless an endpoint
 * declares a limit of its own (`bodyLimit`, lib/api/endpoint.ts): comments, settings and sign-in
 * need no more, and a reader cannot make the server buffer more.
 */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The request limit of a JSON body that carries up to `textBytes` of text in one field, and small
 * fields besides: JSON spells some characters in up to three times their UTF-8 bytes (`\"` and `\n`
 * in two; 😀 as `\ud83d\ude00` in twelve, from clients that escape all but ASCII), so a text at its
 * limit is never refused with a 413 however its client writes it. Its schema checks the text itself.
 */
export const jsonLimitForText = (textBytes: number) => MAX_BODY_BYTES + 3 * textBytes;

export type Payload = { kind: 'json' | 'form'; data: unknown };

/** What a body may be: its media types besides JSON, and its size limit (MAX_BODY_BYTES when not given). */
export interface BodyOptions {
  form?: boolean;
  limit?: number;
}

/**
 * Reads a JSON or urlencoded body, enforcing the size limit while streaming,
 * so an oversized or endless body is cut off instead of buffered.
 */
export async function readPayload(request: Request, accept: BodyOptions = {}): Promise<Payload> {
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

  const text = await readText(request, accept.limit ?? MAX_BODY_BYTES);
  if (isForm) return { kind: 'form', data: Object.fromEntries(new URLSearchParams(text)) };
  try {
    return { kind: 'json', data: JSON.parse(text) as unknown };
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
}

async function readText(request: Request, limit: number): Promise<string> {
  const bytes = await readBytes(request, limit);
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

/** Validates input with a shared zod schema; failures list every field with its reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(withoutNul(input));
  if (result.success) return result.data;
  throw invalidFields(result.error);
}

function invalidFields(error: z.ZodError): AppError {
  const errors: FieldError[] = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: 'Unknown field.' }))
      : [{ field: issue.path.map(String).join('.'), message: issue.message }],
  );
  return new AppError('validation', `The request has ${errors.length === 1 ? 'an invalid field' : `${errors.length} invalid fields`}.`, {
    errors,
  });
}

/** Query strings use the same zod schemas as bodies. */
export function parseQuery<S extends z.ZodType>(schema: S, request: Request): z.output<S> {
  return parseInput(schema, Object.fromEntries(new URL(request.url).searchParams));
}

/**
 * Every string of the input without NUL: it is never part of a name, a word, a slug, an address or a
 * password, and PostgreSQL's text cannot hold it (a 500 there, not a field error). Text fields lose
 * the other control characters too (cleanText).
 */
function withoutNul<T>(input: T): T {
  if (typeof input === 'string') return input.replaceAll('\u0000', '') as T;
  // In place and without recursion: the input is a fresh parse, and it may be nested deeper than the stack.
  const pending: unknown[] = [input];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (typeof value === 'string') {
        if (value.includes('\u0000')) record[key] = value.replaceAll('\u0000', '');
      } else if (value !== null && typeof value === 'object') pending.push(value);
    }
  }
  return input;
}

/** A page's query string as Next hands it over: a repeated parameter arrives as a list. */
export type SearchParams = Record<string, string | string[] | undefined>;

/**
 * A page's query string, read with the schema its API reads it with. Where the API answers 400, a page
 * still shows itself: an invalid or repeated parameter counts as not given (its default, or `defaults`
 * for one the schema requires). An invalid parameter named in `strict` throws the API's validation
 * error instead, for a page that answers it with a 404 (a cursor or a post that names nothing).
 */
export function parseSearchParams<S extends z.ZodObject>(
  schema: S,
  params: SearchParams,
  { defaults = {}, strict = [] }: { defaults?: Partial<z.input<S>>; strict?: (keyof z.input<S> & string)[] } = {},
): z.output<S> {
  const given = withoutNul(
    Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
  );
  const result = schema.safeParse({ ...defaults, ...given });
  if (result.success) return result.data;
  const invalid = new Set(result.error.issues.map((issue) => String(issue.path[0])));
  if (strict.some((key) => invalid.has(key))) throw invalidFields(result.error);
  return schema.parse({ ...defaults, ...Object.fromEntries(Object.entries(given).filter(([key]) => !invalid.has(key))) });
}

export async function parseBody<S extends z.ZodType>(
  schema: S,
  request: Request,
  accept: BodyOptions = {},
): Promise<{ kind: Payload['kind']; data: z.output<S> }> {
  const payload = await readPayload(request, accept);
  if (payload.kind === 'json' && (typeof payload.data !== 'object' || payload.data === null || Array.isArray(payload.data))) {
    throw new AppError('bad_request', 'The request body must be a JSON object.');
  }
  return { kind: payload.kind, data: parseInput(schema, payload.data) };
}

export function isFormPost(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Ids in URLs are positive integers; anything else cannot name a resource, so it is a 404. */
export function parseId(value: string, what: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > MAX_ID) throw notFound(what);
  return Number(value);
}
