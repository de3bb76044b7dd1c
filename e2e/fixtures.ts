import { randomUUID } from 'node:crypto';
import { type APIRequestContext, test as base, expect } from '@playwright/test';

/** The author account the setup project creates. */
export const AUTHOR = { name: 'Ada Author', email: 'ada@example.com', password: 'correct horse battery staple' };
// One file per server port: runs on different ports (side builds, a second checkout) never sign in with each other's session.
export const AUTHOR_STATE = `e2e/.auth/author-${process.env.E2E_PORT ?? 3100}.json`;

export interface CreatedPost {
  slug: string;
  title: string;
  url: string;
}

/** Fixtures: `api` is an authenticated API client; `post` is a fresh published post per test, so tests never share comments. */
export const test = base.extend<{ api: APIRequestContext; post: CreatedPost; unique: string }>({
  api: async ({ playwright, baseURL }, use) => {
    const api = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { Authorization: `Bearer ${process.env.E2E_ADMIN_TOKEN}` },
    });
    await use(api);
    await api.dispose();
  },
  // Playwright requires an object pattern for fixture dependencies, even when there are none.
  unique: async ({}, use) => {
    await use(randomUUID().slice(0, 8));
  },
  post: async ({ api, unique }, use) => {
    const response = await api.post('/api/posts', {
      data: { title: `E2E post ${unique}`, body: `A post for an end-to-end test.\n\n## Section\n\nText.`, status: 'published' },
    });
    expect(response.status()).toBe(201);
    const post = (await response.json()) as CreatedPost;
    await use(post);
    await api.delete(`/api/posts/${post.slug}`);
  },
});

export { expect };
