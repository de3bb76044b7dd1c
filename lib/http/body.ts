import type { z } from 'zod';
import { AppError, type FieldError, notFound } from '@/lib/errors';

/* Reading what a request sends: bodies within their size limit, validated with the shared zod schemas. */

/** Request bodies larger than this are refused before they are fully read. */
export const MAX_BODY_BYTES = 64 * 1024;

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

export function isFormPost(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Ids in URLs are positive integers; anything else cannot name a resource, so it is a 404. */
export function parseId(value: string, what: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value)) throw notFound(what);
  return Number(value);
}
