import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { decodeCursor, encodeCursor, toPage } from '@/lib/pagination';
import { SLUG_PATTERN, slugify } from '@/lib/slug';

describe('slugify', () => {
  it.each([
    ['Hello, World!', 'hello-world'],
    ['Café & Crème', 'cafe-and-creme'],
    ["Don't panic", 'dont-panic'],
    ['  --Spaces   and---dashes-- ', 'spaces-and-dashes'],
    ['日本語', 'post'],
    ['', 'post'],
  ])('%j becomes %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
    expect(slugify(title)).toMatch(SLUG_PATTERN);
  });

  it('caps the length without a trailing hyphen', () => {
    const slug = slugify('a'.repeat(99) + ' b');
    expect(slug.length).toBeLessThanOrEqual(100);
    expect(slug).toMatch(SLUG_PATTERN);
  });
});

describe('cursors', () => {
  it('round-trips', () => {
    const cursor = { time: '2026-11-22T05:00:00.000Z', id: 42 };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(['', 'not-base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["yesterday",1]').toString('base64url')])(
    'rejects %j with a field error',
    (bad) => {
      try {
        decodeCursor(bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).errors?.[0]?.field).toBe('cursor');
      }
    },
  );

  it('pages with one extra row as the look-ahead', () => {
    const rows = [1, 2, 3].map((id) => ({ id, time: `2026-01-0${id}T00:00:00.000Z` }));
    expect(toPage(rows, 3, (r) => r).nextCursor).toBeNull();
    const page = toPage(rows, 2, (r) => r);
    expect(page.data).toHaveLength(2);
    expect(decodeCursor(page.nextCursor!)).toEqual(rows[1]);
  });
});
