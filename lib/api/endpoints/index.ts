import { getDatabaseHealth, getDialect } from '@/db';
import { type Endpoint, endpoint } from '@/lib/api/endpoint';
import {
  authorPostsEndpoint,
  postEndpoint,
  postsEndpoint,
  previewEndpoint,
  searchEndpoint,
  slugCheckEndpoint,
  tagsEndpoint,
} from '@/lib/api/endpoints/content';
import {
  bulkModerationEndpoint,
  commentEndpoint,
  commentSettingsEndpoint,
  moderationEndpoint,
  ownCommentsEndpoint,
  ownHeldCommentsEndpoint,
  postCommentsEndpoint,
} from '@/lib/api/endpoints/comments';
import {
  accountSessionsEndpoint,
  passwordEndpoint,
  sessionEndpoint,
  setupEndpoint,
  tokenEndpoint,
  tokensEndpoint,
} from '@/lib/api/endpoints/auth';
import { siteEndpoint, siteImageEndpoint } from '@/lib/api/endpoints/site';
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { problems } from '@/lib/api/problems';
import { healthSchema } from '@/lib/api/schemas';
import { getCacheHealth } from '@/lib/cache';
import { AppError } from '@/lib/errors';
import { json } from '@/lib/http';

export * from '@/lib/api/endpoints/auth';
export * from '@/lib/api/endpoints/comments';
export * from '@/lib/api/endpoints/content';
export * from '@/lib/api/endpoints/site';

export const healthEndpoint = endpoint('/api/health').get({
  summary: 'Health check',
  description:
    'For load balancers and uptime checks: 200 with the kind of database and its migration version when it answers, else 503. A Redis cache that does not answer is reported (`cache: degraded`) but is no reason for a 503: the blog still serves.',
  access: 'public',
  responses: { 200: { description: 'The database answers', schema: healthSchema }, ...problems(503) },
  handler: async () => {
    let health;
    try {
      health = await getDatabaseHealth();
    } catch (error) {
      console.error('Health check: the database does not answer', error);
      throw new AppError('unavailable', 'The database does not answer.', { headers: { 'Retry-After': '5' } });
    }
    return json({
      status: 'ok',
      ...health,
      databaseKind: getDialect() === 'postgres' ? 'postgresql' : 'sqlite',
      cache: await getCacheHealth(),
    });
  },
});

export const openApiEndpoint = endpoint('/api/openapi.json').get({
  summary: 'This OpenAPI document',
  description: 'OpenAPI 3.1, generated from the route definitions; /api/docs shows it readably.',
  access: 'public',
  responses: { 200: { description: 'The OpenAPI 3.1 document' } },
  handler: () => json(openApiDocument(), { headers: { 'Cache-Control': 'public, max-age=300' } }),
});

/** Every API path, in the order the OpenAPI document and the docs list them. */
export const ENDPOINTS: readonly Endpoint[] = [
  postsEndpoint,
  postEndpoint,
  postCommentsEndpoint,
  ownHeldCommentsEndpoint,
  commentEndpoint,
  ownCommentsEndpoint,
  tagsEndpoint,
  searchEndpoint,
  sessionEndpoint,
  setupEndpoint,
  passwordEndpoint,
  accountSessionsEndpoint,
  authorPostsEndpoint,
  slugCheckEndpoint,
  previewEndpoint,
  moderationEndpoint,
  bulkModerationEndpoint,
  commentSettingsEndpoint,
  siteEndpoint,
  siteImageEndpoint,
  tokensEndpoint,
  tokenEndpoint,
  healthEndpoint,
  openApiEndpoint,
] as readonly Endpoint[];

let document: object | undefined;
/** Built once: the definitions do not change while the server runs. */
export const openApiDocument = () => (document ??= buildOpenApiDocument(ENDPOINTS));
