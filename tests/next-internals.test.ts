import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * server/cache-handler.mjs builds on modules inside Next (next/dist/...), which are not public API:
 * any release may move or change them, so package.json pins next to one version. This test is what
 * an upgrade of that pin must pass: each module still resolves and has what the handler takes from
 * it, and Next's memory cache still honours its tag manifest. A failure names the module and what to
 * do, instead of the handler failing on the first request after a deploy.
 */

const require = createRequire(import.meta.url);
const NEXT_VERSION = (require('next/package.json') as { version: string }).version;
const HANDLER = 'server/cache-handler.mjs';
const TODO =
  `Next ${NEXT_VERSION} moved or changed a module that ${HANDLER} relies on: see what the handler takes from it, ` +
  `find its new place or shape in node_modules/next/dist, and update the handler and this test; ` +
  `or stay on the last version of next that passed, pinned in package.json.`;

/** A class with these methods, a function, a string, or a Map. */
type Shape = string[] | 'function' | 'string' | 'Map';

/** Every Next module the handler requires, and the shape of each export it uses. */
const INTERNALS: Record<string, Record<string, Shape>> = {
  'next/dist/server/lib/incremental-cache/file-system-cache': { default: ['get', 'set', 'revalidateTag'] },
  'next/dist/lib/constants': { NEXT_CACHE_TAGS_HEADER: 'string' },
  'next/dist/server/lib/lru-cache': { LRUCache: ['get', 'set', 'remove'] },
  'next/dist/server/lib/incremental-cache/tags-manifest.external': { areTagsExpired: 'function', tagsManifest: 'Map' },
};

/** What is wrong with `value` for `shape`, or nothing. */
function mismatch(value: unknown, shape: Shape): string | undefined {
  if (Array.isArray(shape)) {
    if (typeof value !== 'function') return `is ${typeof value}, not a class`;
    const prototype = (value as { prototype: Record<string, unknown> }).prototype;
    const missing = shape.filter((method) => typeof prototype[method] !== 'function');
    return missing.length > 0 ? `has no method ${missing.join(', ')}` : undefined;
  }
  if (shape === 'Map') return value instanceof Map ? undefined : 'is not a Map';
  return typeof value === shape ? undefined : `is ${typeof value}, not a ${shape}`;
}

function load(id: string): Record<string, unknown> {
  try {
    return require(id) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${HANDLER} requires ${id}, which does not load: ${(error as Error).message.split('\n')[0]}. ${TODO}`, {
      cause: error,
    });
  }
}

describe(`Next's internal modules that ${HANDLER} uses (next ${NEXT_VERSION})`, () => {
  it('are the ones this test checks', () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, '..', HANDLER), 'utf8');
    const required = [...source.matchAll(/require\('(next\/[^']+)'\)/g)].map((match) => match[1]);
    expect(required.sort(), `${HANDLER} requires other Next modules than INTERNALS in this test lists: keep the two in step.`).toEqual(
      Object.keys(INTERNALS).sort(),
    );
  });

  it.each(Object.entries(INTERNALS))('%s resolves and has what the handler uses', (id, exports) => {
    const loaded = load(id);
    const problems = Object.entries(exports).flatMap(([name, shape]) => {
      const problem = mismatch(loaded[name], shape);
      return problem ? [`${name} ${problem}`] : [];
    });
    expect(problems, `${id}: ${problems.join('; ')}. ${TODO}`).toEqual([]);
  });

  describe("Next's memory cache", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-next-internals-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('keeps a page in memory until one of its tags expires in the tag manifest', async () => {
      type Cache = {
        get(key: string, ctx: object): Promise<{ value: { status?: number } } | null>;
        set(key: string, data: object, ctx: object): Promise<void>;
      };
      const FileSystemCache = load('next/dist/server/lib/incremental-cache/file-system-cache').default as new (ctx: object) => Cache;
      const { NEXT_CACHE_TAGS_HEADER } = load('next/dist/lib/constants') as { NEXT_CACHE_TAGS_HEADER: string };
      const { tagsManifest } = load('next/dist/server/lib/incremental-cache/tags-manifest.external') as {
        tagsManifest: Map<string, { stale?: number; expired?: number }>;
      };
      const cache = new FileSystemCache({
        fs: undefined,
        flushToDisk: false,
        serverDistDir: path.join(dir, 'server'),
        revalidatedTags: [],
        maxMemoryCacheSize: 2 ** 20,
      });
      const key = '/route-cache/APP_PAGE/next-internals';
      const tag = `next-internals-${Date.now()}`;
      const context = { kind: 'APP_PAGE', isRoutePPREnabled: false, isFallback: false };
      const page = {
        kind: 'APP_PAGE',
        html: '<p>hi</p>',
        rscData: Buffer.from('rsc'),
        headers: { [NEXT_CACHE_TAGS_HEADER]: tag },
        status: 200,
      };
      await cache.set(key, page, { ...context, cacheControl: { revalidate: 60 } });
      const kept = await cache.get(key, context);
      // What expireTagsNow in the handler does outside a request.
      const later = Date.now() + 1;
      tagsManifest.set(tag, { stale: later, expired: later });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const afterExpiry = await cache.get(key, context);
      expect(
        { kept: kept?.value.status ?? null, afterExpiry },
        `Next's FileSystemCache no longer works as ${HANDLER} expects. ${TODO}`,
      ).toEqual({
        kept: 200,
        afterExpiry: null,
      });
    });
  });
});
