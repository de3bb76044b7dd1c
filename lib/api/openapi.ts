import { z } from 'zod';
import type { Access, AnyOperation, Endpoint } from '@/lib/api/endpoint';
import { requestRegistry, responseRegistry } from '@/lib/schema/registry';
import { bodyOver } from '@/lib/api/problems';
import { problemSchema } from '@/lib/schema/problem';
import { getEnv } from '@/lib/env';

/*
 * The OpenAPI 3.1 document, generated from the route definitions (lib/api/endpoints): the same zod
 * schemas that validate requests (zod 4's JSON Schema output) and the response schemas they name.
 */

function requestId(schema: z.ZodType): string {
  const named = requestRegistry.get(schema);
  if (!named) throw new Error('Request body schemas must be named with requestSchema() (lib/schema/registry.ts)');
  return named.id;
}

const SECURITY: Record<Access, object[] | undefined> = {
  public: undefined,
  // `{}` first: anyone may call it; credentials change what happens.
  optional: [{}, { bearerAuth: [] }, { sessionCookie: [] }],
  author: [{ bearerAuth: [] }, { sessionCookie: [] }],
  session: [{ sessionCookie: [] }],
  'reader-or-author': [{ bearerAuth: [] }, { sessionCookie: [] }, { commentEditCookie: [] }],
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const baseOptions = { unrepresentable: 'any' as const, target: 'draft-2020-12' as const };

/** JSON Schema keywords of text that say what the cleaned text must be. */
const TEXT_LIMITS = ['minLength', 'maxLength', 'pattern', 'format'] as const;

/**
 * Text fields are cleaned (trimmed) and then checked (textField in lib/schema/fields.ts): a string,
 * a transform, then a pipe into a string with the limits. A request's JSON Schema describes what is
 * sent, the pipe's input, which has no limits; the limits the cleaned text must meet are the answer
 * to "how long may a title be", so they are copied onto it.
 */
function withCleanedTextLimits({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodType; jsonSchema: z.core.JSONSchema.BaseSchema }) {
  if (!(zodSchema instanceof z.ZodPipe) || jsonSchema.type !== 'string') return;
  const cleaned = z.toJSONSchema(zodSchema.out, { ...baseOptions, io: 'output' });
  if (cleaned.type !== 'string') return;
  for (const key of TEXT_LIMITS)
    if (jsonSchema[key] === undefined && cleaned[key] !== undefined) Object.assign(jsonSchema, { [key]: cleaned[key] });
}

const jsonOptions = {
  ...baseOptions,
  uri: (id: string) => `#/components/schemas/${id}`,
  override: withCleanedTextLimits,
};

/** Every response schema is named, so it is a reference into components. */
function responseRef(schema: z.ZodType): object {
  const named = responseRegistry.get(schema);
  if (!named) throw new Error('Response schemas must be named with responseSchema() (lib/schema/registry.ts)');
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
function withConditionalGet(responses: AnyOperation['responses']): AnyOperation['responses'] {
  const ok = responses[200]!;
  return {
    ...responses,
    200: { ...ok, headers: [...(ok.headers ?? []), 'ETag', 'Cache-Control'] },
    304: { description: 'Not Modified: the If-None-Match entity tag still matches', headers: ['ETag', 'Cache-Control'] },
  };
}

function operationObject(path: string, method: string, op: AnyOperation): object {
  const security = SECURITY[op.access];
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
          description: status === '413' && op.bodyLimit ? bodyOver(op.bodyLimit) : response.description,
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

/** The OpenAPI document of these endpoints (lib/api/endpoints), with every schema they name. */
export function buildOpenApiDocument(endpoints: readonly Endpoint[]): object {
  const { SITE_NAME, SITE_URL } = getEnv();
  const requestSchemas = z.toJSONSchema(requestRegistry, { ...jsonOptions, io: 'input' }).schemas;
  const responseSchemas = z.toJSONSchema(responseRegistry, { ...jsonOptions, io: 'output' }).schemas;
  // One name, one schema: a request and an answer of the same name would overwrite each other.
  const clash = Object.keys(requestSchemas).filter((id) => id in responseSchemas);
  if (clash.length > 0) throw new Error(`Schema names used for both a request and an answer: ${clash.join(', ')}`);
  return {
    openapi: '3.1.0',
    info: {
      title: `${SITE_NAME} API`,
      version: '1.0.0',
      description:
        'The JSON API of a Quire blog. Times are UTC ISO 8601 strings. Lists answer `{ data, nextCursor }`; pass `nextCursor` back as `cursor`. Errors are RFC 9457 problem details (`application/problem+json`).',
    },
    servers: [{ url: SITE_URL }],
    paths: Object.fromEntries(
      endpoints.map(({ path, operations }) => [
        path,
        Object.fromEntries(
          Object.entries(operations).map(([method, op]) => [method.toLowerCase(), operationObject(path, method.toLowerCase(), op)]),
        ),
      ]),
    ),
    components: {
      schemas: Object.fromEntries(
        Object.entries({ ...requestSchemas, ...responseSchemas })
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, schema]) => [id, bare(schema)]),
      ),
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
}
