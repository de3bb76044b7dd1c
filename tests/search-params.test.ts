import { describe, expect, it } from 'vitest';
import { moderationQuerySchema } from '@/lib/comments/schemas';
import { authorPostsQuerySchema, searchQuerySchema } from '@/lib/content/schemas';
import { AppError } from '@/lib/errors';
import { parseSearchParams } from '@/lib/http/body';

/* Pages read their query strings with the API's schemas, but answer a page where the API answers 400. */

describe('parseSearchParams', () => {
  it('reads valid parameters as the API does, defaults included', () => {
    expect(parseSearchParams(moderationQuerySchema, { status: 'spam', post: 'hello', q: 'x', cursor: 'abc' })).toEqual({
      status: 'spam',
      post: 'hello',
      q: 'x',
      cursor: 'abc',
      limit: 20,
    });
    expect(parseSearchParams(moderationQuerySchema, {})).toEqual({ status: 'pending', limit: 20 });
  });

  it('takes an invalid or repeated parameter as not given, keeping the others', () => {
    expect(parseSearchParams(moderationQuerySchema, { status: 'nonsense', q: 'kept' })).toEqual({
      status: 'pending',
      q: 'kept',
      limit: 20,
    });
    expect(parseSearchParams(authorPostsQuerySchema, { status: ['draft', 'published'], q: 'x'.repeat(201), limit: 'many' })).toEqual({
      limit: 20,
    });
  });

  it('gives a parameter the schema requires its page default when it is missing or invalid', () => {
    expect(parseSearchParams(searchQuerySchema, {}, { defaults: { q: '' } })).toEqual({ q: '', limit: 20 });
    expect(parseSearchParams(searchQuerySchema, { q: 'x'.repeat(201) }, { defaults: { q: '' } }).q).toBe('');
    expect(parseSearchParams(searchQuerySchema, { q: 'sqlite' }, { defaults: { q: '' } }).q).toBe('sqlite');
  });

  it('throws the API’s validation error for an invalid parameter the page answers with 404', () => {
    const read = () => parseSearchParams(authorPostsQuerySchema, { cursor: 'c'.repeat(513), status: 'draft' }, { strict: ['cursor'] });
    expect(read).toThrow(AppError);
    expect(read).toThrow(expect.objectContaining({ code: 'validation', errors: [{ field: 'cursor', message: 'Invalid cursor.' }] }));
    // Only the strict ones: an invalid status still falls back.
    expect(parseSearchParams(authorPostsQuerySchema, { cursor: 'ok', status: 'x' }, { strict: ['cursor'] })).toEqual({
      cursor: 'ok',
      limit: 20,
    });
  });
});
