import { describe, expect, it } from 'vitest';
import * as healthRoute from '@/app/api/health/route';
import { dialect } from './dialect';
import { call } from './helpers';

/*
 * GET /api/health names the kind of database the blog runs on, so an operator moving to PostgreSQL
 * can tell from outside which one answers. The suite runs on both databases (tests/dialect.ts).
 */

describe('GET /api/health', () => {
  it(`names the database it runs on (${dialect})`, async () => {
    const response = await call(healthRoute.GET, { path: '/api/health' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      database: 'ok',
      databaseKind: dialect === 'postgres' ? 'postgresql' : 'sqlite',
    });
  });
});
