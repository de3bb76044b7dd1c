/*
 * `npm run lighthouse -- [--runs 3] [--only home,post,tag,search] [--no-build] [--port 3300] [--keep]`
 *
 * Lighthouse (mobile: its default config, simulated throttling) on each public page type of a
 * production build: 1. next build (into .next-lighthouse, or NEXT_DIST_DIR), 2. seed a small blog
 * (bench/seed.ts) whose newest post has comments and tags, 3. start Quire's server
 * (server/index.mjs) and load every page twice, so Lighthouse measures cached pages as readers get
 * them, 4. run Lighthouse N times per page, round-robin so a burst of machine load spreads over the
 * pages, 5. report the median of each number (Markdown on stdout, JSON in bench/results/). Numbers,
 * not assertions: they move with the machine's load, which is reported with every run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { type MachineInfo, machineInfo } from './report';
import { seedDatabase } from './seed';
import { type Server, buildApp, killAllSync, startQuire } from './servers';

const ROOT = path.resolve(import.meta.dirname, '..');
const LIGHTHOUSE_BIN = path.join(ROOT, 'node_modules', 'lighthouse', 'cli', 'index.js');
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const PAGE_IDS = ['home', 'post', 'tag', 'search'] as const;
/** The bar for every public page type (Lighthouse's "good" starts at 90). */
const PERFORMANCE_TARGET = 95;

const USAGE = `Usage: npm run lighthouse -- [options]

Builds Quire for production, seeds a small blog, starts Quire's server (server/index.mjs) on 127.0.0.1 and runs
Lighthouse 12 (mobile, simulated throttling) on the home page, a post with comments, a tag page and a search.

  --runs N        Lighthouse runs per page; the median is reported (default 3)
  --only IDS      comma-separated pages to measure (default: all): ${PAGE_IDS.join(', ')}
  --posts N       published posts to seed (default 60)
  --comments N    comments (with replies) on the measured post (default 20)
  --port N        Quire's port (default 3300)
  --no-build      reuse the build in NEXT_DIST_DIR (default .next-lighthouse)
  --keep          keep the database, server log and every Lighthouse report (JSON)
  --help          show this text

Chromium: CHROME_PATH, else CHROMIUM_PATH, else /usr/lib/chromium/chromium when present, else what
chrome-launcher finds.
`;

type PageId = (typeof PAGE_IDS)[number];
type Category = (typeof CATEGORIES)[number];

interface Options {
  runs: number;
  only: PageId[];
  posts: number;
  comments: number;
  port: number;
  build: boolean;
  keep: boolean;
  distDir: string;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '3' },
      only: { type: 'string' },
      posts: { type: 'string', default: '60' },
      comments: { type: 'string', default: '20' },
      port: { type: 'string', default: '3300' },
      'no-build': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const count = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min} (got "${value}").`);
    return n;
  };
  const only = (values.only ? values.only.split(',').map((id) => id.trim()) : [...PAGE_IDS]) as PageId[];
  const unknown = only.filter((id) => !PAGE_IDS.includes(id));
  if (unknown.length > 0) throw new Error(`Unknown page ${unknown.join(', ')}; choose from ${PAGE_IDS.join(', ')}.`);
  return {
    runs: count('runs', values.runs, 1),
    only,
    posts: count('posts', values.posts, 10),
    comments: count('comments', values.comments, 0),
    port: count('port', values.port, 1024),
    build: !values['no-build'],
    keep: values.keep,
    distDir: process.env.NEXT_DIST_DIR || '.next-lighthouse',
  };
}

/** What one Lighthouse run measured on one page. */
export interface LighthouseRun {
  /** 1-minute load average when the run started. */
  load: number;
  /** Lighthouse's own CPU benchmark for the run; it falls as the machine gets busier. */
  benchmarkIndex: number;
  scores: Record<Category, number>;
  /** Milliseconds, except CLS. */
  metrics: { fcp: number; lcp: number; tbt: number; cls: number; si: number };
  /** Bytes over the wire (compressed) and request counts, from the resource-summary audit. */
  transfer: { script: number; stylesheet: number; document: number; total: number; scriptRequests: number };
  /** Audits of the other categories that did not get full marks: what a regression would show. */
  flagged: string[];
  warnings: string[];
}

export interface PageResult {
  id: PageId;
  path: string;
  runs: LighthouseRun[];
  median: Omit<LighthouseRun, 'flagged' | 'warnings'>;
}

export interface LighthouseResults {
  startedAt: string;
  lighthouse: string;
  chrome: string;
  options: Options;
  machine: MachineInfo;
  buildSeconds: number | null;
  seed: { posts: number; commentsOnMeasured: number; measuredSlug: string };
  pages: PageResult[];
}

interface Lhr {
  lighthouseVersion: string;
  environment: { benchmarkIndex: number; hostUserAgent: string };
  runtimeError?: { code: string; message: string };
  runWarnings: string[];
  categories: Record<Category, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<
    string,
    { title: string; score: number | null; scoreDisplayMode: string; numericValue?: number; details?: { items?: unknown[] } }
  >;
}

const say = (message: string) => process.stderr.write(`${message}\n`);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function chromePath(): string | undefined {
  return process.env.CHROME_PATH || process.env.CHROMIUM_PATH || ['/usr/lib/chromium/chromium'].find((file) => fs.existsSync(file));
}

/** One Lighthouse run in its own Chrome (a fresh profile: no cache or service worker carried over). */
async function runLighthouse(url: string, outputPath: string): Promise<Lhr> {
  const chrome = chromePath();
  // A failed attempt may have left its report behind.
  fs.rmSync(outputPath, { force: true });
  const args = [
    LIGHTHOUSE_BIN,
    url,
    '--output=json',
    `--output-path=${outputPath}`,
    '--quiet',
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...(chrome && { CHROME_PATH: chrome }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  if (code !== 0 || !fs.existsSync(outputPath)) throw new Error(`Lighthouse failed on ${url} (exit ${code}):\n${stderr.slice(-2000)}`);
  const lhr = JSON.parse(fs.readFileSync(outputPath, 'utf8')) as Lhr;
  if (lhr.runtimeError) throw new Error(`Lighthouse could not measure ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  return lhr;
}

/** Chrome now and then fails to start or to quit on a busy machine; such a run is repeated, twice at most. */
async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n === 3) throw error;
      say(`  retrying: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
}

function summarize(lhr: Lhr, load: number): LighthouseRun {
  const audit = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
  const items = (lhr.audits['resource-summary']?.details?.items ?? []) as {
    resourceType: string;
    transferSize: number;
    requestCount: number;
  }[];
  const resource = (type: string) => items.find((item) => item.resourceType === type);
  const flagged = CATEGORIES.filter((category) => category !== 'performance').flatMap((category) =>
    lhr.categories[category].auditRefs
      .filter((ref) => ref.weight > 0)
      .map((ref) => lhr.audits[ref.id]!)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
      .map((a) => `${category}: ${a.title}`),
  );
  return {
    load,
    benchmarkIndex: lhr.environment.benchmarkIndex,
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c].score ?? 0) * 100)])) as Record<Category, number>,
    metrics: {
      fcp: audit('first-contentful-paint'),
      lcp: audit('largest-contentful-paint'),
      tbt: audit('total-blocking-time'),
      cls: audit('cumulative-layout-shift'),
      si: audit('speed-index'),
    },
    transfer: {
      script: resource('script')?.transferSize ?? 0,
      stylesheet: resource('stylesheet')?.transferSize ?? 0,
      document: resource('document')?.transferSize ?? 0,
      total: resource('total')?.transferSize ?? 0,
      scriptRequests: resource('script')?.requestCount ?? 0,
    },
    flagged,
    warnings: lhr.runWarnings,
  };
}

/** Each number's own median over the runs (so one page's medians may come from different runs). */
function medians<T extends Record<string, number>>(rows: T[]): T {
  return Object.fromEntries(Object.keys(rows[0]!).map((key) => [key, median(rows.map((row) => row[key]!))])) as T;
}

function medianOf(runs: LighthouseRun[]): PageResult['median'] {
  return {
    ...medians(runs.map(({ load, benchmarkIndex }) => ({ load, benchmarkIndex }))),
    scores: medians(runs.map((run) => run.scores)),
    metrics: medians(runs.map((run) => run.metrics)),
    transfer: medians(runs.map((run) => run.transfer)),
  };
}

/** The pages to measure, found in the seeded database: the commented post, one of its tags, a search with results. */
function pagePaths(dbPath: string, slug: string, query: string): Record<PageId, string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const tag = db
      .prepare(
        'SELECT t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id JOIN posts p ON p.id = pt.post_id WHERE p.slug = ? ORDER BY pt.position LIMIT 1',
      )
      .pluck()
      .get(slug) as string | undefined;
    if (!tag) throw new Error(`The measured post ${slug} has no tag.`);
    return {
      home: '/',
      post: `/posts/${encodeURIComponent(slug)}`,
      tag: `/tags/${encodeURIComponent(tag)}`,
      search: `/search?${new URLSearchParams({ q: query })}`,
    };
  } finally {
    db.close();
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

export function renderMarkdown(r: LighthouseResults): string {
  const m = r.machine;
  const lines = [
    `## Quire Lighthouse: mobile, simulated throttling, median of ${r.options.runs} run${r.options.runs === 1 ? '' : 's'} per page`,
    '',
    `Lighthouse ${r.lighthouse}, ${r.chrome}. Machine: ${m.cpu}, ${m.cores} cores (nproc ${m.nproc}); Node ${m.node}, Next ${m.next}. ` +
      `Load average ${fmt(m.loadBefore, 2)} before, ${fmt(m.loadAfter ?? 0, 2)} after. ` +
      `Data: ${r.seed.posts} posts, ${r.seed.commentsOnMeasured} comments on the measured post${r.buildSeconds === null ? ' (build reused)' : ''}.`,
    '',
    '| page | performance | accessibility | best practices | SEO | FCP | LCP | TBT | CLS | Speed Index | JS (transferred, files) | CSS | HTML | all | performance per run | load per run |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const page of r.pages) {
    const { scores, metrics, transfer } = page.median;
    lines.push(
      `| ${page.id} \`${page.path}\` | ${scores.performance}${scores.performance < PERFORMANCE_TARGET ? ' **<95**' : ''} | ${scores.accessibility} | ${scores['best-practices']} | ${scores.seo} | ` +
        `${seconds(metrics.fcp)} | ${seconds(metrics.lcp)} | ${fmt(metrics.tbt)} ms | ${fmt(metrics.cls, 3)} | ${seconds(metrics.si)} | ` +
        `${kb(transfer.script)}, ${fmt(transfer.scriptRequests)} | ${kb(transfer.stylesheet)} | ${kb(transfer.document)} | ${kb(transfer.total)} | ` +
        `${page.runs.map((run) => run.scores.performance).join(', ')} | ${page.runs.map((run) => fmt(run.load, 2)).join(', ')} |`,
    );
  }
  const flagged = new Set(r.pages.flatMap((page) => page.runs.flatMap((run) => run.flagged.map((f) => `${page.id}: ${f}`))));
  lines.push('');
  lines.push(
    flagged.size === 0 ? 'Accessibility, best practices and SEO: every weighted audit passed on every run.' : 'Audits below full marks:',
  );
  for (const f of flagged) lines.push(`- ${f}`);
  const warnings = new Set(r.pages.flatMap((page) => page.runs.flatMap((run) => run.warnings)));
  for (const w of warnings) lines.push(`- Lighthouse warning: ${w}`);
  return lines.join('\n');
}

async function main(options: Options): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-lighthouse-'));
  let server: Server | undefined;
  const cleanUp = () => {
    killAllSync();
    if (options.keep) say(`Kept the database, server log and Lighthouse reports in ${tempDir}`);
    else fs.rmSync(tempDir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  try {
    let buildSeconds: number | null = null;
    if (options.build) {
      say(`Building the production app into ${options.distDir} ...`);
      buildSeconds = await buildApp(options.distDir);
    } else if (!fs.existsSync(path.join(ROOT, options.distDir, 'BUILD_ID'))) {
      throw new Error(`--no-build: there is no build in ${options.distDir}; run once without --no-build.`);
    }

    const siteUrl = `http://127.0.0.1:${options.port}`;
    say(`Seeding ${options.posts} posts into ${tempDir} ...`);
    const fixture = await seedDatabase({ posts: options.posts, comments: options.comments, dir: tempDir, siteUrl });
    const paths = pagePaths(fixture.dbPath, fixture.measuredSlug, fixture.searchQueries[0]!);

    say('Starting Quire (server/index.mjs) ...');
    ({ server } = await startQuire({ port: options.port, distDir: options.distDir, dbPath: fixture.dbPath, siteUrl, logDir: tempDir }));
    // Each page is rendered on its first visit and cached after: readers (and Lighthouse) get the cached one.
    for (const id of options.only) {
      for (let i = 0; i < 2; i++) {
        const response = await fetch(`${siteUrl}${paths[id]}`);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${paths[id]} answered ${response.status}.`);
      }
    }

    const runs = new Map<PageId, LighthouseRun[]>(options.only.map((id) => [id, []]));
    let version = '';
    let chrome = '';
    for (let run = 1; run <= options.runs; run++) {
      for (const id of options.only) {
        const load = os.loadavg()[0]!;
        const lhr = await withRetries(() => runLighthouse(`${siteUrl}${paths[id]}`, path.join(tempDir, `${id}-${run}.json`)));
        version = lhr.lighthouseVersion;
        chrome = /(HeadlessChrome|Chrome)\/[\d.]+/.exec(lhr.environment.hostUserAgent)?.[0] ?? 'Chrome';
        const summary = summarize(lhr, load);
        runs.get(id)!.push(summary);
        say(
          `  run ${run}/${options.runs} ${id}: performance ${summary.scores.performance}, LCP ${seconds(summary.metrics.lcp)}, ` +
            `TBT ${fmt(summary.metrics.tbt)} ms, JS ${kb(summary.transfer.script)} (load ${fmt(load, 2)}, benchmarkIndex ${fmt(summary.benchmarkIndex)})`,
        );
      }
    }
    await server.stop();
    machine.loadAfter = os.loadavg()[0];

    const results: LighthouseResults = {
      startedAt,
      lighthouse: version,
      chrome,
      options,
      machine,
      buildSeconds,
      seed: { posts: fixture.posts, commentsOnMeasured: fixture.commentsOnMeasured, measuredSlug: fixture.measuredSlug },
      pages: options.only.map((id) => ({ id, path: paths[id], runs: runs.get(id)!, median: medianOf(runs.get(id)!) })),
    };
    process.stdout.write(`${renderMarkdown(results)}\n`);
    const dir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `lighthouse-${startedAt.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    say(`\nJSON: ${path.relative(process.cwd(), file)}`);
  } finally {
    await server?.stop();
  }
}

let options: Options | undefined;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (!options) {
  process.stdout.write(USAGE);
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the server.`);
    process.exit(130);
  });
}
try {
  await main(options);
} catch (error) {
  say(`\nLighthouse benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
