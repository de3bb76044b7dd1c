import { getDb } from '@/db';
import { createComment } from '@/lib/comments/comments';
import { createPost } from '@/lib/content/posts';
import type { PostCreateInput } from '@/lib/content/schemas';

export const ADMIN = { Authorization: `Bearer ${process.env.ADMIN_TOKEN}` };
const BASE = 'https://blog.example.test';

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Response | Promise<Response>;

/** Calls a route handler the way Next does: a real Request and a params promise. */
export function call<P>(
  handler: Handler<P>,
  {
    method = 'GET',
    path = '/',
    params = {} as P,
    json,
    form,
    body,
    headers = {},
  }: {
    method?: string;
    path?: string;
    params?: P;
    json?: unknown;
    form?: Record<string, string>;
    body?: BodyInit;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  const h = init.headers as Record<string, string>;
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    h['Content-Type'] ??= 'application/json';
  } else if (form !== undefined) {
    init.body = new URLSearchParams(form).toString();
    h['Content-Type'] ??= 'application/x-www-form-urlencoded';
  } else if (body !== undefined) {
    init.body = body;
    (init as RequestInit & { duplex: string }).duplex = 'half';
  }
  return Promise.resolve(handler(new Request(new URL(path, BASE), init), { params: Promise.resolve(params) }));
}

/** Empties the tables between tests; the schema and migrations stay. */
export function resetDatabase(): void {
  getDb().$client.exec('DELETE FROM comments; DELETE FROM posts; DELETE FROM rate_limits; DELETE FROM settings;');
}

let counter = 0;
export function makePost(overrides: Partial<PostCreateInput> = {}) {
  counter++;
  return createPost({
    title: `Post number ${counter}`,
    body: `Body of post ${counter} with *emphasis*.`,
    status: 'published',
    ...overrides,
  });
}

export function makeComment(slug: string, overrides: { authorName?: string; body?: string; parentId?: number } = {}) {
  return createComment(slug, { authorName: 'Reader', body: 'A thoughtful comment.', ...overrides });
}
