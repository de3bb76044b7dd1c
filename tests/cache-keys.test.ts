import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CacheKey, encodeCacheKey } from '@/lib/cache';

describe('cache keys', () => {
  it('never let two different queries share an entry', () => {
    const part = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('undefined', 'null', ',', '', '1'));
    const key = fc
      .tuple(fc.constantFrom('posts', 'post-list', 'search'), fc.array(part, { maxLength: 4 }))
      .map(([kind, inputs]) => [kind, ...inputs] as CacheKey);
    // An encoding that decodes back to the very same key is one-to-one: no two keys share an entry.
    fc.assert(
      fc.property(key, (k) => {
        expect(JSON.parse(encodeCacheKey(k))).toStrictEqual(k);
      }),
      { numRuns: 2000 },
    );
  });

  it('keep an absent value apart from the text that names it', () => {
    expect(encodeCacheKey(['posts', 10, null, null])).not.toBe(encodeCacheKey(['posts', 10, null, 'undefined']));
    expect(encodeCacheKey(['posts', 10, 'a,b'])).not.toBe(encodeCacheKey(['posts', 10, 'a', 'b']));
    expect(encodeCacheKey(['posts', 1])).not.toBe(encodeCacheKey(['posts', '1']));
  });
});
