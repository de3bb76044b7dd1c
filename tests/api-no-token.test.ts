import { describe, expect, it, vi } from 'vitest';

// This file's server has no ADMIN_TOKEN: writes must be refused with an explanation.
process.env.ADMIN_TOKEN = '';

describe('without ADMIN_TOKEN', () => {
  it('refuses writes with a 401 that says how to enable them', async () => {
    const { POST } = await import('@/app/api/posts/route');
    const response = await POST(
      new Request('https://blog.example.test/api/posts', {
        method: 'POST',
        headers: { Authorization: 'Bearer anything-at-all-really', 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 't', body: 'b' }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(response.status).toBe(401);
    const problem = await response.json();
    expect(problem.detail).toMatch(/ADMIN_TOKEN/);
  });

  it('refuses a token shorter than 16 characters at start-up', async () => {
    process.env.ADMIN_TOKEN = 'short';
    vi.resetModules();
    const { getEnv } = await import('@/lib/env');
    expect(() => getEnv()).toThrow(/ADMIN_TOKEN must be at least 16 characters/);
  });
});
