import { createHash } from 'node:crypto';
import { type CacheKey, cached } from '@/lib/cache';

/* Public GET answers built once per cache entry and revalidated with ETags. */

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
  cachedResponse(request, spec, async () => JSON.stringify(await load()));
