import 'server-only';
import type { z } from 'zod';
import { type Principal, assertSameOrigin, authenticate, requireAdmin, requireSession } from '@/lib/auth/authenticate';
import type { AuthUser } from '@/lib/auth/schemas';
import { AppError } from '@/lib/errors';
import { isFormPost, parseBody, parseQuery } from '@/lib/http/body';
import { seeOther } from '@/lib/http/responses';
import { methodNotAllowed, route } from '@/lib/http/route';

/*
 * One definition per API path: for each method, who may call it, the schemas of its query, body
 * and answers, and its handler. The route.ts under app/api exports the handlers built here, the
 * OpenAPI document (lib/api/openapi.ts), the docs' endpoint table and the fuzz test read the same
 * definition, so none of them can disagree with what the server does.
 */

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

/**
 * Who may call an operation. It is checked before anything else of the request is read, so an
 * unauthenticated caller gets 401 even for a malformed body.
 * - `public`: anyone; the caller is not identified.
 * - `optional`: anyone; an author (session or token) is known as such, e.g. their comment is the author's.
 * - `reader-or-author`: an author, or the reader holding the signed edit cookie (the handler checks it).
 * - `author`: an author's session, an API token or ADMIN_TOKEN.
 * - `session`: a signed-in author at a browser; tokens are refused.
 */
export type Access = 'public' | 'optional' | 'reader-or-author' | 'author' | 'session';

type Caller<A extends Access> = A extends 'author'
  ? Principal
  : A extends 'session'
    ? AuthUser
    : A extends 'public'
      ? null
      : Principal | null;

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  headers?: string[];
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerInput<A extends Access, P, Q, B> {
  request: Request;
  params: P;
  query: Output<Q>;
  /**
   * Reads the body and validates it with the declared schema. A function, so that the checks a
   * handler must make first (a rate limit, the reader's edit grant) come before the body is read.
   */
  body: () => Promise<Output<B>>;
  caller: Caller<A>;
  /** A plain HTML form posted it (the operation accepts forms): answer with a 303, not JSON. */
  fromForm: boolean;
}

export interface OperationSpec<A extends Access, P, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined> {
  summary: string;
  description?: string;
  access: A;
  query?: Q;
  body?: B;
  /**
   * Also accepts application/x-www-form-urlencoded from a plain HTML form. When a form post fails
   * with a client error, the answer is a 303 to where this function says (the form, with the error
   * named in its query), or the problem+json error when it returns undefined.
   */
  form?: (failure: { error: AppError; params: P; body: Output<B> | undefined }) => string | undefined;
  /**
   * The most bytes its body may have, refused with 413 beyond (default MAX_BODY_BYTES, 64 KiB): an
   * operation that carries a post's text says how much it carries (jsonLimitForText, lib/http/body.ts).
   */
  bodyLimit?: number;
  /** Writes from a browser session must come from a page of this site; checked first (no form fallback). */
  sameOrigin?: boolean;
  /** The body is a file of these media types, sent as is (not JSON); the handler reads it. */
  upload?: string;
  /** Served from the cache with an ETag; If-None-Match gets 304 (lib/http/cached-response.ts). */
  cached?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (input: HandlerInput<A, P, Q, B>) => Response | Promise<Response>;
}

// The handler's input type differs per operation; stored definitions only need to call it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = OperationSpec<Access, any, z.ZodObject | undefined, z.ZodType | undefined>;

export type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** How a path parameter is read: returns the value or throws (404 for a value that cannot name anything). */
export type ParamParsers<P> = { [K in keyof P]: (value: string) => P[K] };

export class Endpoint<P extends Record<string, unknown> = Record<string, never>> {
  readonly operations: Partial<Record<Method, AnyOperation>> = {};
  #handlers: Record<Method | 'OPTIONS', RouteHandler> | undefined;

  constructor(
    /** The path as OpenAPI writes it: `/api/posts/{slug}` is app/api/posts/[slug]/route.ts. */
    readonly path: string,
    readonly params: ParamParsers<P>,
  ) {}

  get = this.#method('GET');
  post = this.#method('POST');
  put = this.#method('PUT');
  patch = this.#method('PATCH');
  delete = this.#method('DELETE');

  /** `.get(spec)` and its siblings: each infers its own access, query and body types from `spec`. */
  #method(method: Method) {
    return <A extends Access, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
      spec: OperationSpec<A, P, Q, B>,
    ): this => this.#define(method, spec);
  }

  #define(method: Method, spec: AnyOperation): this {
    if (this.operations[method]) throw new Error(`${method} ${this.path} is defined twice`);
    this.operations[method] = spec;
    return this;
  }

  /** What the route.ts exports: every method, the ones not defined answering 405 with `Allow`, and OPTIONS. */
  get handlers(): Record<Method | 'OPTIONS', RouteHandler> {
    if (this.#handlers) return this.#handlers;
    const defined = METHODS.filter((method) => this.operations[method]);
    const notAllowed = methodNotAllowed(...defined);
    const refuse: RouteHandler = (request) => Promise.resolve(notAllowed(request));
    const entries = METHODS.map((method) => {
      const spec = this.operations[method];
      return [method, spec ? this.#handler(spec) : refuse] as const;
    });
    this.#handlers = { ...Object.fromEntries(entries), OPTIONS: refuse } as Record<Method | 'OPTIONS', RouteHandler>;
    return this.#handlers;
  }

  #handler(spec: AnyOperation): RouteHandler {
    return route(async (request, context) => {
      const caller = await identify(spec.access, request);
      if (spec.sameOrigin) assertSameOrigin(request);
      const params = this.#parseParams(await context.params);
      const query = spec.query ? parseQuery(spec.query, request) : undefined;
      const fromForm = spec.form !== undefined && isFormPost(request);
      let body: unknown;
      const readBody = async () => {
        if (!spec.body) throw new Error(`${request.method} ${this.path} declares no body schema`);
        ({ data: body } = await parseBody(spec.body, request, { form: spec.form !== undefined, limit: spec.bodyLimit }));
        return body;
      };
      try {
        return await spec.handler({ request, params, query, body: readBody, caller, fromForm });
      } catch (error) {
        const back = fromForm && error instanceof AppError && error.status < 500 ? spec.form!({ error, params, body }) : undefined;
        if (back) return seeOther(back);
        throw error;
      }
    }) as RouteHandler;
  }

  #parseParams(raw: Record<string, string>): P {
    return Object.fromEntries(
      Object.entries(this.params).map(([name, parse]) => [name, (parse as (value: string) => unknown)(raw[name] ?? '')]),
    ) as P;
  }
}

async function identify(access: Access, request: Request): Promise<Principal | AuthUser | null> {
  switch (access) {
    case 'public':
      return null;
    case 'optional':
    case 'reader-or-author':
      return authenticate(request);
    case 'author':
      return requireAdmin(request);
    case 'session':
      return requireSession(request);
  }
}

/** Starts the definition of one API path; `params` reads its path parameters, e.g. `{ slug: postSlug }`. */
export function endpoint<P extends Record<string, unknown> = Record<string, never>>(path: string, params?: ParamParsers<P>): Endpoint<P> {
  return new Endpoint<P>(path, params ?? ({} as ParamParsers<P>));
}
