/*
 * What the load looks like: one scenario per endpoint, a write scenario and a 95/5 mixed one, each
 * driven by autocannon for a bounded time on loopback, after a warm-up, while the serving
 * process's memory is sampled. Also the one-off measurements: the cold sitemap set and the check
 * that the baseline answers with Quire's exact bytes.
 */
import autocannon from 'autocannon';
import { commentAuthor, commentBody, createRandom } from './content';
import { type CpuSample, type MemorySample, sampleCpu, sampleMemory } from './proc';
import type { Fixture } from './seed';
import { type Server, waitIdle } from './servers';

export interface ScenarioContext {
  fixture: Fixture;
  /** A sitemap shard named by the live sitemap index. */
  shardPath: string;
}

export type ScenarioGroup = 'floor' | 'api' | 'page' | 'crawl' | 'discovery' | 'write' | 'mixed';

export interface Scenario {
  id: string;
  label: string;
  group: ScenarioGroup;
  /** The baseline server answers the same requests. */
  baseline: boolean;
  /** Concurrent connections, when not --connections: crawlers fetch sitemaps a few at a time. */
  connections?: number;
  requests: (context: ScenarioContext) => autocannon.Request[];
}

const get = (path: string): autocannon.Request[] => [{ method: 'GET', path }];

/** One request whose path (and method and body) is chosen afresh each time. */
const generated = (next: () => Pick<autocannon.Request, 'method' | 'path' | 'body' | 'headers'>): autocannon.Request[] => [
  { method: 'GET', path: '/', setupRequest: (request) => ({ ...request, ...next() }) },
];

function rotate<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

/** A fresh object each time: autocannon writes each request's Content-Length into the headers it is given. */
const jsonHeaders = () => ({ 'content-type': 'application/json' });

/** Unique comment bodies, as many readers would write them, on posts taken in turn from `slugs`. */
function commentWriter(slugs: readonly string[], seed: number) {
  const random = createRandom(seed);
  const nextSlug = rotate(slugs);
  let n = 0;
  return () => {
    n++;
    return {
      method: 'POST' as const,
      path: `/api/posts/${nextSlug()}/comments`,
      // Each comment from a reader of its own (the server trusts loopback proxies, bench/servers.ts): from
      // one address, the render queue's share per address (4 waiting) would refuse the load as a flood.
      headers: { ...jsonHeaders(), 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
      body: JSON.stringify({ authorName: commentAuthor(random), body: `${commentBody(random)} (#${n}-${seed})` }),
    };
  };
}

const searchPath = (q: string) => `/api/search?q=${encodeURIComponent(q)}`;

/** 95% reads spread like real traffic (pages most, then the API), 5% comment posts, on recent posts. */
function mixedRequests({ fixture }: ScenarioContext): autocannon.Request[] {
  const random = createRandom(4242);
  const write = commentWriter(fixture.hotSlugs, Date.now() % 100_000);
  const slug = () => fixture.hotSlugs[Math.floor(random.next() ** 2 * fixture.hotSlugs.length)]!;
  const reads: [number, () => string][] = [
    [30, () => `/posts/${slug()}`],
    [20, () => '/'],
    [10, () => '/api/posts'],
    [10, () => `/api/posts/${slug()}`],
    [10, () => `/api/posts/${slug()}/comments`],
    [10, () => searchPath(random.pick(fixture.searchQueries))],
    [5, () => '/feed.xml'],
  ];
  return generated(() => {
    let roll = random.next() * 100;
    if (roll < 5) return write();
    roll -= 5;
    for (const [weight, path] of reads) {
      if (roll < weight) return { method: 'GET', path: path(), body: undefined, headers: {} };
      roll -= weight;
    }
    return { method: 'GET', path: '/', body: undefined, headers: {} };
  });
}

export const SCENARIOS: Scenario[] = [
  // Next's own cost per request on this machine: robots.txt is a route with no database work, so
  // this is about the ceiling for every other scenario, next to the bare node:http baseline.
  {
    id: 'next-floor',
    label: "GET /robots.txt (Next's floor: a route without database work)",
    group: 'floor',
    baseline: false,
    requests: () => get('/robots.txt'),
  },
  { id: 'api-posts', label: 'GET /api/posts', group: 'api', baseline: true, requests: () => get('/api/posts') },
  {
    id: 'api-post',
    label: 'GET /api/posts/{slug}',
    group: 'api',
    baseline: true,
    requests: ({ fixture }) => get(`/api/posts/${fixture.measuredSlug}`),
  },
  {
    id: 'api-comments',
    label: 'GET /api/posts/{slug}/comments',
    group: 'api',
    baseline: true,
    requests: ({ fixture }) => get(`/api/posts/${fixture.measuredSlug}/comments`),
  },
  {
    id: 'api-search',
    label: 'GET /api/search?q=… (12 queries)',
    group: 'api',
    baseline: true,
    requests: ({ fixture }) => {
      const next = rotate(fixture.searchQueries);
      return generated(() => ({ method: 'GET', path: searchPath(next()) }));
    },
  },
  { id: 'home', label: 'GET / (home page)', group: 'page', baseline: false, requests: () => get('/') },
  {
    id: 'post-page',
    label: 'GET /posts/{slug} (50 comments)',
    group: 'page',
    baseline: false,
    requests: ({ fixture }) => get(`/posts/${fixture.measuredSlug}`),
  },
  {
    id: 'crawl',
    label: 'GET /posts/{every post in turn} (a crawler: pages not in the cache)',
    group: 'crawl',
    baseline: false,
    // Each post once (older posts first in the list): every request renders a page and caches it,
    // which is where a leak per render, or memory that grows with the number of pages, shows.
    requests: ({ fixture }) => {
      const next = rotate(fixture.writeSlugs);
      return generated(() => ({ method: 'GET', path: `/posts/${next()}` }));
    },
  },
  { id: 'feed', label: 'GET /feed.xml', group: 'discovery', baseline: false, requests: () => get('/feed.xml') },
  {
    id: 'comment-post',
    label: 'POST /api/posts/{slug}/comments',
    group: 'write',
    baseline: true,
    // Spread over 2,000 older posts, so no single post grows a huge thread during the run.
    requests: ({ fixture }) => generated(commentWriter(fixture.writeSlugs, Date.now() % 100_000)),
  },
  {
    id: 'comment-post-hot',
    label: 'POST /api/posts/{slug}/comments (all on one post)',
    group: 'write',
    baseline: true,
    // A popular post draws the comments: every one goes to the same post (one with comments already),
    // so each write updates the same posts row and expires the same cache tag.
    requests: ({ fixture }) => generated(commentWriter([fixture.hotWriteSlug], Date.now() % 100_000)),
  },
  { id: 'mixed', label: 'mixed: 95% reads, 5% comment posts', group: 'mixed', baseline: false, requests: mixedRequests },
  // Last: streaming a shard holds a SQLite iterator open, which blocks every write on the connection meanwhile.
  { id: 'sitemap-index', label: 'GET /sitemap.xml', group: 'discovery', baseline: false, requests: () => get('/sitemap.xml') },
  {
    id: 'sitemap-shard',
    label: 'GET /sitemaps/{first posts shard} (2 connections)',
    group: 'discovery',
    baseline: false,
    // A full shard is 9 MB; 32 at once would only measure the queue.
    connections: 2,
    requests: ({ shardPath }) => get(shardPath),
  },
];

export interface LoadOptions {
  connections: number;
  duration: number;
  overallRate?: number;
  /** Called with each response's status and time (ms), e.g. to follow a soak minute by minute. */
  onResponse?: (status: number, ms: number) => void;
}

export interface LoadResult {
  rps: number;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  bytesPerRequest: number;
  seconds: number;
  memory?: MemorySample;
  /** Cores the server (all its processes) and the load generator used on average during the run. */
  cpu?: CpuSample;
}

export function runLoad(url: string, requests: autocannon.Request[], options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: options.connections, duration: options.duration, overallRate: options.overallRate, requests },
      (error, result) => {
        if (error) return reject(error);
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)]),
        );
        const total = Object.values(statusCodes).reduce((sum, count) => sum + count, 0);
        resolve({
          rps: total / result.duration,
          requests: total,
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          max: result.latency.max,
          mean: result.latency.average,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCodes,
          bytesPerRequest: total > 0 ? result.throughput.total / total : 0,
          seconds: result.duration,
        });
      },
    );
    if (options.onResponse) instance.on('response', (_client, status, _bytes, ms) => options.onResponse!(status, ms));
  });
}

/**
 * A warm-up (results dropped), then the measured run with the serving process's memory sampled and
 * the cores the server and the load generator used.
 * Every server in `quiet` is idle before each run starts.
 */
export async function measure(
  server: Server,
  requests: autocannon.Request[],
  options: LoadOptions & { warmup: number; quiet: Server[] },
): Promise<LoadResult> {
  await waitIdle(options.quiet);
  if (options.warmup > 0) {
    await runLoad(server.url, requests, { ...options, duration: options.warmup, onResponse: undefined });
    await waitIdle(options.quiet);
  }
  const sampler = sampleMemory(server.servingPid);
  const cpu = sampleCpu(server.pid);
  const result = await runLoad(server.url, requests, options);
  return { ...result, memory: sampler.stop(), cpu: cpu.stop() };
}

/** One comment POST (tried three times): its status tells whether writes still work, or why there was no answer. */
export async function probeWrite(server: Server, slug: string): Promise<number | string> {
  let outcome: number | string = 'not tried';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const response = await fetch(`${server.url}/api/posts/${slug}/comments`, {
        method: 'POST',
        headers: jsonHeaders(),
        body: JSON.stringify({ authorName: 'Probe', body: `Write probe ${attempt} at ${new Date().toISOString()}.` }),
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      outcome = `no answer (${error instanceof Error ? error.message : String(error)}${cause})`;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return outcome;
}

export interface SitemapFile {
  path: string;
  ms: number;
  bytes: number;
  urls: number;
}

export interface SitemapSetResult {
  /** The first pass, right after start: what the target is about. */
  ms: number;
  /** The same set fetched again at once: generation without first-use costs. */
  warmMs: number;
  files: SitemapFile[];
  urls: number;
  bytes: number;
  /** Over the first pass. */
  memory: MemorySample;
  failures: string[];
}

/** The index and every shard it names, one after another as a crawler fetches them. */
async function fetchSitemapSet(server: Server, siteUrl: string, failures: string[]): Promise<SitemapFile[]> {
  const fetchFile = async (path: string): Promise<{ file: SitemapFile; text: string }> => {
    const started = performance.now();
    const response = await fetch(`${server.url}${path}`);
    const text = await response.text();
    if (response.status !== 200) failures.push(`${path}: ${response.status}`);
    return { file: { path, ms: performance.now() - started, bytes: Buffer.byteLength(text), urls: text.split('<loc>').length - 1 }, text };
  };
  const index = await fetchFile('/sitemap.xml');
  // The index's <loc>s name shards, not pages.
  const files: SitemapFile[] = [{ ...index.file, urls: 0 }];
  for (const match of index.text.matchAll(/<loc>([^<]+)<\/loc>/g)) files.push((await fetchFile(match[1]!.replace(siteUrl, ''))).file);
  return files;
}

/** The whole sitemap set cold (right after start) with the server's peak memory, then once more warm. */
export async function measureSitemapSet(server: Server, siteUrl: string): Promise<SitemapSetResult> {
  const failures: string[] = [];
  const sampler = sampleMemory(server.servingPid, 20);
  const started = performance.now();
  const files = await fetchSitemapSet(server, siteUrl, failures);
  const ms = performance.now() - started;
  const memory = sampler.stop();
  const warmStarted = performance.now();
  await fetchSitemapSet(server, siteUrl, failures);
  const sum = (key: 'bytes' | 'urls') => files.reduce((total, file) => total + file[key], 0);
  return { ms, warmMs: performance.now() - warmStarted, files, urls: sum('urls'), bytes: sum('bytes'), memory, failures };
}

/** The first posts shard the live index names (the largest kind). */
export async function findShardPath(server: Server, siteUrl: string): Promise<string> {
  const index = await (await fetch(`${server.url}/sitemap.xml`)).text();
  const shards = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => match[1]!.replace(siteUrl, ''));
  return shards.find((path) => path.includes('/posts-')) ?? shards[0] ?? '/sitemaps/pages.xml';
}

export interface Mismatch {
  path: string;
  detail: string;
}

export interface FirstSearch {
  q: string;
  results: number;
  /** The first request for the query: Quire's cache is empty, so both run the query itself. */
  quireMs: number;
  baselineMs: number;
}

export interface Comparison {
  checked: number;
  mismatches: Mismatch[];
  searches: FirstSearch[];
}

/** A GET with its time; status 0 when no answer came within `timeoutMs` (a slow search on a big blog). */
async function timedFetch(url: string, timeoutMs = 120_000): Promise<{ status: number; body: Buffer; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, body, ms: performance.now() - started };
  } catch {
    return { status: 0, body: Buffer.alloc(0), ms: performance.now() - started };
  }
}

/**
 * The read endpoints' answers from both servers, byte for byte, one request at a time. Nothing
 * has asked Quire for a search yet, so each query's first answer also times the query uncached.
 * Searches are left out unless asked for: on a large blog a single one can take minutes.
 */
export async function compareWithBaseline(
  quire: Server,
  baseline: Server,
  fixture: Fixture,
  { searches: withSearches }: { searches: boolean },
): Promise<Comparison> {
  const slug = fixture.measuredSlug;
  const paths = [
    '/api/posts',
    '/api/posts?limit=100',
    `/api/posts/${slug}`,
    `/api/posts/${fixture.hotSlugs.at(-1)}`,
    `/api/posts/${slug}/comments`,
  ];
  const mismatches: Mismatch[] = [];
  const check = async (path: string) => {
    const q = await timedFetch(`${quire.url}${path}`);
    const b = await timedFetch(`${baseline.url}${path}`);
    if (q.status !== 200 || b.status !== 200) {
      mismatches.push({ path, detail: `status ${q.status} (Quire) vs ${b.status} (baseline)` });
    } else if (!q.body.equals(b.body)) {
      let at = 0;
      while (at < q.body.length && q.body[at] === b.body[at]) at++;
      const excerpt = (body: Buffer) => JSON.stringify(body.subarray(Math.max(0, at - 40), at + 40).toString('utf8'));
      mismatches.push({
        path,
        detail: `${q.body.length} vs ${b.body.length} bytes, first difference at byte ${at}: Quire ${excerpt(q.body)} / baseline ${excerpt(b.body)}`,
      });
    }
    const page = q.status === 200 ? (JSON.parse(q.body.toString('utf8')) as { data?: unknown[]; nextCursor?: string | null }) : {};
    return { page, quireMs: q.ms, baselineMs: b.ms };
  };
  let checked = 0;
  const searches: FirstSearch[] = [];
  for (const path of [...paths, ...(withSearches ? fixture.searchQueries.map(searchPath) : [])]) {
    const { page, quireMs, baselineMs } = await check(path);
    checked++;
    if (path.startsWith('/api/search')) {
      const q = new URL(path, 'http://x').searchParams.get('q')!;
      searches.push({ q, results: page.data?.length ?? 0, quireMs, baselineMs });
    }
    // The second page too, so cursors are compared as well.
    if (page.nextCursor) {
      await check(`${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(page.nextCursor)}`);
      checked++;
    }
  }
  return { checked, mismatches, searches };
}
