import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Access, type Endpoint, METHODS } from '@/lib/api/endpoint';
import { ENDPOINTS, openApiDocument } from '@/lib/api/endpoints';
import { type ApiReference, getApiReference } from '@/lib/api/reference';
import { call } from './helpers';

/*
 * One definition per API path (lib/api/endpoints): every route.ts exports exactly its definition's
 * handlers, the OpenAPI document lists exactly its operations, and the docs' endpoint table is
 * generated from it. `npm run docs:api` rewrites the table after a definition changes.
 */

const API = path.join(process.cwd(), 'app', 'api');
const EXPORTED = [...METHODS, 'OPTIONS'];

/** `/api/posts/{slug}` for app/api/posts/[slug]/route.ts; the catch-all 404 route is not an endpoint. */
const routeFiles = () =>
  fs
    .readdirSync(API, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts' && !file.includes('[...'))
    .map((file) => ({
      file: path.join(API, file),
      path: `/api/${path.dirname(file).split(path.sep).join('/')}`.replace(/\[(\w+)]/g, '{$1}'),
    }));

const allowed = (endpoint: Endpoint) => {
  const methods = METHODS.filter((method) => endpoint.operations[method]);
  return [...methods, 'OPTIONS', ...(methods.includes('GET') ? ['HEAD'] : [])].sort().join(', ');
};

describe('API route definitions', () => {
  it('each path is defined once, and every definition has its route.ts', () => {
    const paths = ENDPOINTS.map((endpoint) => endpoint.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(
      routeFiles()
        .map((route) => route.path)
        .sort(),
    ).toEqual([...paths].sort());
  });

  it.each(routeFiles().map((route) => [route.path, route.file]))(
    '%s: route.ts exports its definition’s handlers, and nothing else',
    async (apiPath, file) => {
      const endpoint = ENDPOINTS.find((candidate) => candidate.path === apiPath)!;
      const routeModule = (await import(file)) as Record<string, unknown>;
      const handlers = Object.entries(routeModule).filter(([, value]) => typeof value === 'function');
      expect(handlers.map(([name]) => name).sort()).toEqual([...EXPORTED].sort());
      for (const name of EXPORTED)
        expect(routeModule[name], `${name} ${apiPath}`).toBe(endpoint.handlers[name as keyof Endpoint['handlers']]);
    },
  );

  it.each(ENDPOINTS.map((endpoint) => [endpoint.path, endpoint]))(
    '%s: OPTIONS and every method it lacks name exactly the defined ones in Allow',
    async (_path, endpoint) => {
      const options = await call(endpoint.handlers.OPTIONS, { method: 'OPTIONS' });
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe(allowed(endpoint));
      for (const method of METHODS.filter((candidate) => !endpoint.operations[candidate])) {
        const response = await call(endpoint.handlers[method], { method });
        expect(response.status, method).toBe(405);
        expect(response.headers.get('allow'), method).toBe(allowed(endpoint));
      }
    },
  );

  it('the OpenAPI document has exactly the defined operations', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([apiPath, methods]) => Object.keys(methods).map((m) => `${m} ${apiPath}`));
    const defined = ENDPOINTS.flatMap((endpoint) => Object.keys(endpoint.operations).map((m) => `${m.toLowerCase()} ${endpoint.path}`));
    expect(documented.sort()).toEqual(defined.sort());
  });

  it('the OpenAPI document gives the limits of cleaned text fields, which are checked after trimming', () => {
    type Properties = Record<string, { type?: string; minLength?: number; maxLength?: number }>;
    const doc = openApiDocument() as { components: { schemas: Record<string, { properties: Properties }> } };
    const { PostCreate, PostUpdate } = doc.components.schemas;
    expect(PostCreate!.properties.title).toEqual({ type: 'string', minLength: 1, maxLength: 200 });
    expect(PostCreate!.properties.summary).toMatchObject({ type: 'string', minLength: 0, maxLength: 500 });
    expect(PostUpdate!.properties.title).toMatchObject({ maxLength: 200 });
  });

  it('docs/api.md lists every endpoint as defined (npm run docs:api updates it)', async () => {
    const file = path.join(process.cwd(), 'docs', 'api.md');
    const text = fs.readFileSync(file, 'utf8');
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    expect(start, `docs/api.md marks the table with ${TABLE_START} and ${TABLE_END}`).toBeGreaterThan(-1);
    const generated = await prettier.format(endpointTable(), { ...(await prettier.resolveConfig(file)), parser: 'markdown' });
    const updated = `${text.slice(0, start + TABLE_START.length)}\n\n${generated}\n${text.slice(end)}`;
    if (process.env.UPDATE_API_DOCS) fs.writeFileSync(file, updated);
    expect(text).toBe(updated);
  });
});

const TABLE_START = '<!-- endpoints: generated from lib/api/endpoints by `npm run docs:api` -->';
const TABLE_END = '<!-- endpoints: end -->';

const WHO: Record<Access, string> = {
  public: 'anyone',
  optional: 'anyone; an author’s counts as the author’s',
  'reader-or-author': 'an author, or the reader who wrote it (edit cookie)',
  author: 'an author: session or token',
  session: 'a signed-in author (session only)',
};

function endpointTable(): string {
  const rows = ENDPOINTS.flatMap((endpoint) =>
    METHODS.filter((method) => endpoint.operations[method]).map((method) => {
      const operation = endpoint.operations[method]!;
      return `| ${method} | \`${endpoint.path}\` | ${operation.summary} | ${WHO[operation.access]} |`;
    }),
  );
  return ['| Method | Path | What it does | Who may call it |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

describe('the API reference (/api/docs)', () => {
  let reference: ApiReference;
  // Its Markdown goes through the render workers, which start on first use.
  beforeAll(async () => {
    reference = await getApiReference();
  }, 60_000);

  it('shows a body schema as fields: type, whether required, limits, allowed values and default', () => {
    const createPost = reference.operations.find((op) => op.method === 'POST' && op.path === '/api/posts')!;
    const fields = Object.fromEntries(createPost.body!.schema!.fields.map((field) => [field.name, field]));
    expect(fields.title).toMatchObject({ type: ['string'], required: true, details: { markdown: '1–200 characters.' } });
    expect(fields.status).toMatchObject({ required: false });
    expect(fields.status!.details).toMatchObject({
      inline: true,
      html: 'One of <code>draft</code>, <code>published</code>, <code>scheduled</code>. Default <code>draft</code>.',
    });
    expect(fields.tags).toMatchObject({ type: ['array of ', 'string'], details: { markdown: 'At most 20 items. Each: 1–50 characters.' } });
  });

  it('lists nested fields after their parent and links the schemas a field holds', () => {
    const problem = reference.schemas.find((schema) => schema.name === 'Problem')!;
    expect(problem.fields.map((field) => field.name)).toEqual([
      'type',
      'title',
      'status',
      'detail',
      'errors',
      'errors[].field',
      'errors[].message',
    ]);
    const page = reference.schemas.find((schema) => schema.name === 'PostPage')!;
    expect(page.fields[0]).toMatchObject({ name: 'data', type: ['array of ', { schema: 'PostSummary' }] });
    expect(page.fields[1]!.type).toEqual(['string', ' or ', 'null']);
  });

  it('renders every description as sanitised Markdown', () => {
    expect(reference.description.html).toContain('<code>{ data, nextCursor }</code>');
    const problems = reference.operations.flatMap((op) => op.responses).find((response) => response.status === '400')!;
    expect(problems.description.html).toBe('Malformed JSON or invalid fields (<code>errors</code> lists them)');
  });
});
