import { z } from 'zod';
import {
  authorPostSchema,
  createdCommentSchema,
  problemSchema,
  publicCommentSchema,
  publishedPostSchema,
  responseRegistry,
  responses,
} from '@/lib/api/responses';
import { getEnv } from '@/lib/env';
import { listQuerySchema } from '@/lib/pagination';
import {
  apiTokenCreateSchema,
  authorPostsQuerySchema,
  bulkModerationSchema,
  commentCreateSchema,
  commentUpdateSchema,
  moderationQuerySchema,
  postCreateSchema,
  postListQuerySchema,
  postUpdateSchema,
  previewSchema,
  searchQuerySchema,
  setupSchema,
  signInSchema,
  slugCheckQuerySchema,
} from '@/lib/api/requests';
import { settingsUpdateSchema } from '@/lib/comments/settings';
import { identityPatchSchema } from '@/lib/site/identity';

/*
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests (zod 4's
 * JSON Schema output) and the response schemas in lib/api/responses.ts.
 */

type Auth = 'none' | 'author' | 'session' | 'reader-or-author';

interface Operation {
  summary: string;
  description?: string;
  auth?: Auth;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Also accepts application/x-www-form-urlencoded from a plain HTML form. */
  form?: boolean;
  /** The body is a file of these media types, sent as is (not JSON). */
  upload?: string;
  /** Served from the cache with an ETag; If-None-Match gets 304 (lib/http/cached-response.ts). */
  cached?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType; headers?: string[] }>;
}

const requestRegistry = z.registry<{ id: string }>();
const REQUESTS: [string, z.ZodType][] = [
  ['PostCreate', postCreateSchema],
  ['PostUpdate', postUpdateSchema],
  ['CommentCreate', commentCreateSchema],
  ['CommentUpdate', commentUpdateSchema],
  ['BulkModeration', bulkModerationSchema],
  ['SignIn', signInSchema],
  ['Setup', setupSchema],
  ['ApiTokenCreate', apiTokenCreateSchema],
  ['Preview', previewSchema],
  ['SettingsUpdate', settingsUpdateSchema],
  ['SiteIdentityUpdate', identityPatchSchema],
];
for (const [id, schema] of REQUESTS) requestRegistry.add(schema, { id });
const requestId = (schema: z.ZodType) => requestRegistry.get(schema)!.id;

const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { description: PROBLEM_TEXT[status] ?? 'Problem', schema: problemSchema }]));

const PROBLEM_TEXT: Record<number, string> = {
  400: 'Malformed JSON or invalid fields (`errors` lists them)',
  401: 'No or invalid credentials',
  403: 'Not allowed: a cross-site request, closed comments, or the wrong kind of credentials',
  404: 'Not found',
  409: 'Conflict, e.g. the slug is taken',
  413: 'Body over 64 KiB',
  415: 'Unsupported content type',
  429: 'Too many requests (see Retry-After)',
  503: 'The database does not answer or is busy (see Retry-After)',
};

const WRITE_PROBLEMS = [400, 401, 403, 413, 415];

export const OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/posts': {
    get: {
      summary: 'List published posts',
      cached: true,
      description: 'Newest first, keyset-paginated. `tag` keeps the posts of one tag.',
      query: postListQuerySchema,
      responses: { 200: { description: 'A page of posts', schema: responses.postPage }, ...problems(400) },
    },
    post: {
      summary: 'Create a post',
      auth: 'author',
      body: postCreateSchema,
      responses: {
        201: { description: 'Created', schema: authorPostSchema, headers: ['Location'] },
        ...problems(...WRITE_PROBLEMS, 409),
      },
    },
  },
  '/api/posts/{slug}': {
    get: {
      summary: 'Get a published post',
      cached: true,
      responses: { 200: { description: 'The post with its HTML', schema: publishedPostSchema }, ...problems(404) },
    },
    patch: {
      summary: 'Change a post',
      description: 'Send only the fields to change. Status `scheduled` needs a future `publishedAt`.',
      auth: 'author',
      body: postUpdateSchema,
      responses: { 200: { description: 'The changed post', schema: authorPostSchema }, ...problems(...WRITE_PROBLEMS, 404, 409) },
    },
    delete: {
      summary: 'Delete a post and its comments',
      auth: 'author',
      responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
    },
  },
  '/api/posts/{slug}/comments': {
    get: {
      summary: "List a post's approved comments",
      cached: true,
      description: 'Oldest first, keyset-paginated.',
      query: listQuerySchema,
      responses: { 200: { description: 'A page of comments', schema: responses.commentPage }, ...problems(400, 404) },
    },
    post: {
      summary: 'Add a comment',
      description:
        'Readers comment without credentials; a signed-in author or a token holder comments as the author. An HTML form post gets a 303 to the post page instead of 201.',
      body: commentCreateSchema,
      form: true,
      responses: {
        201: { description: 'Created; `status` says whether it waits for moderation', schema: createdCommentSchema, headers: ['Location'] },
        303: { description: 'From an HTML form: see the post page', headers: ['Location'] },
        ...problems(...WRITE_PROBLEMS, 404, 429),
      },
    },
  },
  '/api/comments/{id}': {
    get: {
      summary: 'Get an approved comment',
      cached: true,
      responses: { 200: { description: 'The comment', schema: publicCommentSchema }, ...problems(404) },
    },
    patch: {
      summary: 'Moderate or edit a comment',
      description:
        'The author may change `status` and `body` (a new `body` is rendered again and sets `editedAt`; the status stays unless sent); the reader who wrote it may change `body` within the edit window (signed cookie).',
      auth: 'reader-or-author',
      body: commentUpdateSchema,
      responses: {
        200: { description: 'The changed comment', schema: responses.commentChange },
        ...problems(...WRITE_PROBLEMS, 404),
      },
    },
    delete: {
      summary: 'Delete a comment',
      description: 'Its replies move up to its parent.',
      auth: 'reader-or-author',
      responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
    },
  },
  '/api/comments/mine': {
    get: {
      summary: "The reader's own comments they may still change",
      description: 'Read from the signed edit cookie set when the reader commented; empty without it. Never cached.',
      responses: { 200: { description: 'Comment ids with their Markdown', schema: responses.ownComments } },
    },
  },
  '/api/tags': {
    get: {
      summary: 'List tags with published posts',
      cached: true,
      responses: { 200: { description: 'Every tag', schema: responses.tagList } },
    },
  },
  '/api/search': {
    get: {
      summary: 'Search published posts',
      cached: true,
      description:
        'Full text, best matches first. Words match as prefixes, "quoted phrases" exactly, and -word excludes. Any text is a valid query.',
      query: searchQuerySchema,
      responses: { 200: { description: 'Matching posts with snippets', schema: responses.searchPage }, ...problems(400) },
    },
  },
  '/api/session': {
    get: {
      summary: 'Who is signed in',
      auth: 'author',
      responses: { 200: { description: 'The principal', schema: responses.session }, ...problems(401) },
    },
    post: {
      summary: 'Sign in',
      description: 'Sets the HttpOnly session cookie. Failed attempts are throttled per account and per address.',
      body: signInSchema,
      form: true,
      responses: {
        200: { description: 'Signed in', schema: responses.signedIn, headers: ['Set-Cookie'] },
        ...problems(400, 401, 403, 415, 429),
      },
    },
    delete: { summary: 'Sign out', responses: { 204: { description: 'Signed out; the session ends on the server' }, ...problems(403) } },
  },
  '/api/setup': {
    post: {
      summary: 'Create the first author (first run only)',
      body: setupSchema,
      form: true,
      responses: { 201: { description: 'Created and signed in', schema: responses.signedIn }, ...problems(400, 403, 409, 415) },
    },
  },
  '/api/admin/posts': {
    get: {
      summary: 'List all posts, drafts included',
      auth: 'author',
      query: authorPostsQuerySchema,
      responses: { 200: { description: 'A page of posts', schema: responses.authorPostPage }, ...problems(400, 401) },
    },
  },
  '/api/admin/slugs': {
    get: {
      summary: 'Check whether a slug is free',
      auth: 'author',
      query: slugCheckQuerySchema,
      responses: { 200: { description: 'Availability', schema: responses.slugCheck }, ...problems(400, 401) },
    },
  },
  '/api/admin/preview': {
    post: {
      summary: 'Render Markdown as a post would be',
      auth: 'author',
      body: previewSchema,
      responses: { 200: { description: 'Sanitised HTML', schema: responses.preview }, ...problems(...WRITE_PROBLEMS) },
    },
  },
  '/api/admin/comments': {
    get: {
      summary: 'The moderation queue',
      description:
        "`post` (a slug) keeps one post's comments; `q` finds text in the body, the name or the email. Each comment says what it answers (`inReplyTo`) and where it is read (`contextUrl`).",
      auth: 'author',
      query: moderationQuerySchema,
      responses: {
        200: { description: 'Comments of one status, newest first', schema: responses.adminCommentPage },
        ...problems(400, 401, 404),
      },
    },
  },
  '/api/admin/comments/bulk': {
    post: {
      summary: 'Moderate many comments at once',
      auth: 'author',
      body: bulkModerationSchema,
      responses: {
        200: { description: 'How many changed, and the status each had before (to undo it)', schema: responses.bulkResult },
        ...problems(...WRITE_PROBLEMS),
      },
    },
  },
  '/api/admin/settings': {
    get: {
      summary: 'Comment and spam settings',
      auth: 'author',
      responses: { 200: { description: 'The settings', schema: responses.settings }, ...problems(401) },
    },
    patch: {
      summary: 'Change settings',
      auth: 'author',
      body: settingsUpdateSchema,
      responses: { 200: { description: 'The settings', schema: responses.settings }, ...problems(...WRITE_PROBLEMS) },
    },
  },
  '/api/admin/site': {
    get: {
      summary: 'Site identity',
      description: 'Name, description, byline, time zone, accent colour, navigation and images, with environment variables as defaults.',
      auth: 'author',
      responses: { 200: { description: 'The site identity', schema: responses.siteIdentity }, ...problems(401) },
    },
    patch: {
      summary: 'Change the site identity',
      description: 'Each field sent replaces its value; `null` puts it back to its default.',
      auth: 'author',
      body: identityPatchSchema,
      responses: { 200: { description: 'The site identity', schema: responses.siteIdentity }, ...problems(...WRITE_PROBLEMS) },
    },
  },
  '/api/admin/site/{image}': {
    put: {
      summary: 'Upload the logo or the icon',
      description:
        '`image` is `logo` or `icon`. The body is the image itself (PNG, JPEG, WebP, GIF, AVIF or SVG, at most 5 MiB); it is re-encoded as PNG: a logo within 480 × 96 px, an icon at 180 and 32 px.',
      auth: 'author',
      upload: 'image/*',
      responses: {
        200: { description: 'Where the new image is served', schema: responses.siteImage },
        ...problems(...WRITE_PROBLEMS, 404),
      },
    },
    delete: {
      summary: 'Remove the logo or the icon',
      auth: 'author',
      responses: { 204: { description: 'Removed: the name, or Quire’s icon, is shown again' }, ...problems(401, 403, 404) },
    },
  },
  '/api/admin/tokens': {
    get: {
      summary: 'List API tokens',
      auth: 'session',
      responses: { 200: { description: 'Tokens (never the secret)', schema: responses.tokenList }, ...problems(401, 403) },
    },
    post: {
      summary: 'Create an API token',
      auth: 'session',
      body: apiTokenCreateSchema,
      responses: { 201: { description: 'The token, shown this once', schema: responses.createdToken }, ...problems(...WRITE_PROBLEMS) },
    },
  },
  '/api/admin/tokens/{id}': {
    delete: { summary: 'Revoke an API token', auth: 'session', responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404) } },
  },
  '/api/health': {
    get: {
      summary: 'Health check',
      responses: { 200: { description: 'The database answers', schema: responses.health }, ...problems(503) },
    },
  },
};

const SECURITY: Record<Auth, object[] | undefined> = {
  none: undefined,
  author: [{ bearerAuth: [] }, { sessionCookie: [] }],
  session: [{ sessionCookie: [] }],
  'reader-or-author': [{ bearerAuth: [] }, { sessionCookie: [] }, { commentEditCookie: [] }],
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonOptions = {
  uri: (id: string) => `#/components/schemas/${id}`,
  unrepresentable: 'any' as const,
  target: 'draft-2020-12' as const,
};

/** Every response schema is named, so it is a reference into components. */
function responseRef(schema: z.ZodType): object {
  const named = responseRegistry.get(schema);
  if (!named) throw new Error('Response schemas must be registered in lib/api/responses.ts');
  return ref(named.id);
}

/** JSON Schema as OpenAPI components want it: no $schema or $id of its own. */
function bare(schema: unknown): object {
  const { $schema, $id, ...rest } = schema as Record<string, unknown>;
  void $schema;
  void $id;
  return rest;
}

function parameters(path: string, query?: z.ZodObject): object[] {
  const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (!query) return inPath;
  const json = z.toJSONSchema(query, { ...jsonOptions, io: 'input' }) as { properties?: Record<string, object> };
  const inQuery = Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    // A parameter is required when leaving it out fails validation (defaults make it optional).
    required: !query.shape[name]!.safeParse(undefined).success,
    schema,
  }));
  return [...inPath, ...inQuery];
}

/** A cached GET's 200 carries its validators, and a matching If-None-Match gets 304. */
function withConditionalGet(responses: Operation['responses']): Operation['responses'] {
  const ok = responses[200]!;
  return {
    ...responses,
    200: { ...ok, headers: [...(ok.headers ?? []), 'ETag', 'Cache-Control'] },
    304: { description: 'Not Modified: the If-None-Match entity tag still matches', headers: ['ETag', 'Cache-Control'] },
  };
}

function operationObject(path: string, method: string, op: Operation): object {
  const security = SECURITY[op.auth ?? 'none'];
  const responses = op.cached ? withConditionalGet(op.responses) : op.responses;
  return {
    operationId: `${method}${path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(security ? { security } : {}),
    parameters: parameters(path, op.query),
    ...(op.upload
      ? { requestBody: { required: true, content: { [op.upload]: { schema: { type: 'string', contentMediaType: op.upload } } } } }
      : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: ref(requestId(op.body)) },
              ...(op.form ? { 'application/x-www-form-urlencoded': { schema: ref(requestId(op.body)) } } : {}),
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.headers
            ? { headers: Object.fromEntries(response.headers.map((name) => [name, { schema: { type: 'string' } }])) }
            : {}),
          ...(response.schema
            ? {
                content: {
                  [response.schema === problemSchema ? 'application/problem+json' : 'application/json']: {
                    schema: responseRef(response.schema),
                  },
                },
              }
            : {}),
        },
      ]),
    ),
  };
}

let cached: object | undefined;

export function buildOpenApiDocument(): object {
  if (cached) return cached;
  const { SITE_NAME, SITE_URL } = getEnv();
  const requestSchemas = z.toJSONSchema(requestRegistry, { ...jsonOptions, io: 'input' }).schemas;
  const responseSchemas = z.toJSONSchema(responseRegistry, { ...jsonOptions, io: 'output' }).schemas;
  cached = {
    openapi: '3.1.0',
    info: {
      title: `${SITE_NAME} API`,
      version: '1.0.0',
      description:
        'The JSON API of a Quire blog. Times are UTC ISO 8601 strings. Lists answer `{ data, nextCursor }`; pass `nextCursor` back as `cursor`. Errors are RFC 9457 problem details (`application/problem+json`).',
    },
    servers: [{ url: SITE_URL }],
    paths: Object.fromEntries(
      Object.entries(OPERATIONS).map(([path, methods]) => [
        path,
        Object.fromEntries(Object.entries(methods).map(([method, op]) => [method, operationObject(path, method, op)])),
      ]),
    ),
    components: {
      schemas: Object.fromEntries(Object.entries({ ...requestSchemas, ...responseSchemas }).map(([id, schema]) => [id, bare(schema)])),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token from the admin area, or the server’s ADMIN_TOKEN' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'quire_session',
          description: 'A signed-in author’s session; writes must come from this site (Origin checked)',
        },
        commentEditCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'quire_comments',
          description: 'Set when a reader comments; allows editing their own comment for a while',
        },
      },
    },
  };
  return cached;
}
