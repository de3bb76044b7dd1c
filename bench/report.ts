/*
 * The numbers as a reader wants them: Markdown tables on stdout with each target next to what was
 * measured, and everything (raw latencies, status codes, memory, machine) as JSON in bench/results/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Comparison, LoadResult, ScenarioGroup, SitemapSetResult } from './scenarios';

export interface MachineInfo {
  cpu: string;
  cores: number;
  /** What nproc says: the cores this process may use. */
  nproc: number;
  memoryGb: number;
  node: string;
  next: string;
  sqlite: string;
  os: string;
  /** 1-minute load average before and after the run: other work on the machine skews the numbers. */
  loadBefore: number;
  loadAfter?: number;
}

export function machineInfo(): MachineInfo {
  const memory = new Database(':memory:');
  const sqlite = memory.prepare('SELECT sqlite_version()').pluck().get() as string;
  memory.close();
  const nextPackage = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../node_modules/next/package.json'), 'utf8')) as {
    version: string;
  };
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    nproc: os.availableParallelism(),
    memoryGb: os.totalmem() / 2 ** 30,
    node: process.version,
    next: nextPackage.version,
    sqlite,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadBefore: os.loadavg()[0]!,
  };
}

export interface ScenarioResult {
  id: string;
  label: string;
  group: ScenarioGroup;
  quire: LoadResult;
  baseline?: LoadResult;
}

export interface SoakWindow {
  fromSecond: number;
  requests: number;
  failures: number;
  p99: number;
}

export interface SoakResult {
  targetRate: number;
  result: LoadResult;
  windows: SoakWindow[];
  /** Comments on the posts the soak reads and writes, before and after: the data grows as it runs. */
  growth: { posts: number; before: CommentLoad; after: CommentLoad };
}

export interface CommentLoad {
  /** Approved comments on all the posts the mixed load uses. */
  total: number;
  /** The post with the most of them, which the mixed load reads and writes most. */
  busiest: { slug: string; comments: number };
}

export interface TargetCheck {
  what: string;
  target: string;
  measured: string;
  /** null when the run could not tell (e.g. the scenario did not run). */
  pass: boolean | null;
}

/** The database Quire ran on; with PostgreSQL, the seeded SQLite file copied into a throw-away server. */
export type DatabaseInfo =
  { dialect: 'sqlite'; version: string } | { dialect: 'postgres'; version: string; poolSize: number; copySeconds: number; mb: number };

export interface RunResults {
  startedAt: string;
  options: Record<string, unknown>;
  machine: MachineInfo;
  /** Left out by runs from before --db: those ran on SQLite. */
  database?: DatabaseInfo;
  buildSeconds: number | null;
  seed: { posts: number; commentsOnMeasured: number; commentsOnHotWrite?: number; seconds: number; dbMb: number; measuredSlug: string };
  coldStart: { healthMs: number; pageMs: number };
  sitemapSet?: SitemapSetResult;
  equality?: Comparison;
  scenarios: ScenarioResult[];
  soak?: SoakResult;
  /** Status of one comment POST sent right after the sitemap-shard load ended (201 when writes still work). */
  writeAfterShardLoad?: number | string;
  targets: TargetCheck[];
}

const MB = 2 ** 20;
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => (n < 10 ? fmt(n, 1) : fmt(n));
const mb = (bytes: number | undefined) => (bytes === undefined ? '–' : `${fmt(bytes / MB)} MB`);
/** Quire's req/s as a share of the baseline's ("–" when the baseline answered nothing). */
const share = (quire: number, baseline: number) => (baseline > 0 ? `${fmt((quire / baseline) * 100)}%` : '–');
const mark = (pass: boolean | null) => (pass === null ? '–' : pass ? 'pass' : '**FAIL**');

/** The targets Quire is held to (see bench/README section in the project README). */
export function checkTargets(results: Omit<RunResults, 'targets'>, connections: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const floor = results.scenarios.find((s) => s.group === 'floor')?.quire;
  const ofFloor = (rps: number) => (floor ? `, ${share(rps, floor.rps)} of Next's floor` : '');
  for (const s of results.scenarios) {
    const failures = s.quire.errors + s.quire.non2xx;
    if (s.group === 'api' && s.baseline) {
      const ratio = s.baseline.rps > 0 ? s.quire.rps / s.baseline.rps : Infinity;
      checks.push({
        what: s.label,
        target: `≥ 30% of baseline req/s and p99 < 50 ms at ${connections} connections`,
        measured: `${share(s.quire.rps, s.baseline.rps)} of baseline${ofFloor(s.quire.rps)}, p99 ${s.quire.requests > 0 ? `${ms(s.quire.p99)} ms` : '–'}${failures ? `, ${failures} failed` : ''}`,
        pass: ratio >= 0.3 && s.quire.p99 < 50 && failures === 0,
      });
    } else if (s.group === 'page') {
      checks.push({
        what: s.label,
        target: 'p99 < 50 ms (cached page)',
        measured: `p99 ${ms(s.quire.p99)} ms${failures ? `, ${failures} failed` : ''}`,
        pass: s.quire.p99 < 50 && failures === 0,
      });
    } else if (s.group === 'crawl') {
      const peak = s.quire.memory?.peak;
      checks.push({
        what: s.label,
        target: 'zero errors, server RSS < 300 MB',
        measured: `${fmt(s.quire.rps)} pages/s, peak RSS ${mb(peak)}${failures ? `, ${failures} failed` : ''}`,
        pass: peak !== undefined && peak < 300 * MB && failures === 0,
      });
    } else if (s.group === 'write') {
      checks.push({
        what: s.label,
        target: '≥ 500 comment posts/s, zero errors',
        measured: `${fmt(s.quire.rps)}/s, ${s.quire.errors} errors, ${s.quire.non2xx} non-2xx`,
        pass: s.quire.rps >= 500 && failures === 0,
      });
    }
  }
  if (results.sitemapSet) {
    const { ms: time, memory, urls, failures } = results.sitemapSet;
    const full = results.seed.posts >= 100_000;
    checks.push({
      what: `sitemap set, cold (${fmt(results.seed.posts)} posts)`,
      target: 'index + all shards < 2 s, server RSS < 300 MB (for 100,000 posts)',
      measured: `${fmt(time)} ms, peak RSS ${mb(memory.peak)}, ${fmt(urls)} URLs${failures.length ? `, ${failures.length} failed` : ''}${full ? '' : ' (smaller blog: indicative only)'}`,
      pass: time < 2000 && memory.peak < 300 * MB && failures.length === 0,
    });
  }
  checks.push({
    what: 'cold start (spawn → first 200 of a page)',
    target: '< 3 s',
    measured: `health ${fmt(results.coldStart.healthMs)} ms, home page ${fmt(results.coldStart.pageMs)} ms`,
    pass: results.coldStart.pageMs < 3000,
  });
  if (results.soak) {
    const { result } = results.soak;
    checks.push({
      what: 'soak (mixed at 80% of max)',
      target: 'no errors (RSS at start and end reported)',
      measured: `${result.errors} errors, ${result.non2xx} non-2xx, RSS ${mb(result.memory?.start)} → ${mb(result.memory?.end)}`,
      pass: result.errors + result.non2xx === 0,
    });
  }
  return checks;
}

function scenarioRow(s: ScenarioResult, targets: TargetCheck[]): string {
  const q = s.quire;
  const target = targets.find((t) => t.what === s.label);
  const ratio = s.baseline ? share(q.rps, s.baseline.rps) : '–';
  return [
    s.label,
    fmt(q.rps),
    // No answer in time at all: there is no latency to show, only the errors.
    q.requests > 0 ? ms(q.p50) : '–',
    q.requests > 0 ? ms(q.p99) : '–',
    String(q.errors),
    String(q.non2xx),
    mb(q.memory?.peak),
    q.cpu ? `${fmt(q.cpu.server, 2)} / ${fmt(q.cpu.loadGenerator, 2)}` : '–',
    s.baseline ? fmt(s.baseline.rps) : '–',
    s.baseline ? ms(s.baseline.p99) : '–',
    ratio,
    target?.target ?? '–',
    mark(target?.pass ?? null),
  ].join(' | ');
}

export function renderMarkdown(r: RunResults): string {
  const m = r.machine;
  const o = r.options;
  const lines: string[] = [];
  const workers = Number(o.workers ?? 1);
  const db = r.database ?? { dialect: 'sqlite', version: m.sqlite };
  const dbName = db.dialect === 'postgres' ? `PostgreSQL ${db.version}` : `SQLite ${db.version}`;
  lines.push(
    `## Quire benchmark: ${dbName}, ${workers} worker${workers === 1 ? '' : 's'}, ${fmt(r.seed.posts)} posts, ${o.connections} connections, ${o.duration} s per scenario`,
  );
  lines.push('');
  lines.push(
    `Machine: ${m.cpu}, ${m.cores} cores (nproc ${m.nproc}), ${fmt(m.memoryGb, 1)} GiB RAM, ${m.os}; Node ${m.node}, Next ${m.next}, SQLite ${m.sqlite}. ` +
      `Load average ${fmt(m.loadBefore, 2)} before, ${fmt(m.loadAfter ?? 0, 2)} after. The load generator runs on the same machine.`,
  );
  lines.push(
    `Data: ${fmt(r.seed.posts)} published posts, ${r.seed.commentsOnMeasured} comments on the measured post${r.seed.commentsOnHotWrite === undefined ? '' : ` and ${r.seed.commentsOnHotWrite} on the hot-post write scenario's`}, database ${fmt(r.seed.dbMb)} MB, seeded in ${fmt(r.seed.seconds, 1)} s` +
      `${r.buildSeconds === null ? ' (build reused)' : `; build ${fmt(r.buildSeconds, 1)} s`}.`,
  );
  if (db.dialect === 'postgres') {
    lines.push(
      `Database: PostgreSQL ${db.version} on this machine (loopback TCP, fsync off), a pool of ${db.poolSize} connections per Quire process; ` +
        `the seeded SQLite file copied into it in ${fmt(db.copySeconds, 1)} s (${fmt(db.mb)} MB). The baseline reads the SQLite file.`,
    );
  }
  lines.push(`Cold start: first 200 of /api/health after ${fmt(r.coldStart.healthMs)} ms, of / after ${fmt(r.coldStart.pageMs)} ms.`);
  if (r.equality) {
    lines.push(
      r.equality.mismatches.length === 0
        ? `Baseline answers: byte-identical to Quire's on all ${r.equality.checked} read requests checked.`
        : `Baseline answers: **${r.equality.mismatches.length} of ${r.equality.checked} differ from Quire's** (see below).`,
    );
    // The baseline searches with FTS5 (bm25, snippet()); PostgreSQL ranks with ts_rank and cuts snippets with ts_headline.
    const searchesOnly = r.equality.mismatches.every((mismatch) => mismatch.path.startsWith('/api/search'));
    if (db.dialect === 'postgres' && r.equality.mismatches.length > 0 && searchesOnly) {
      lines.push(
        'All of them are searches: the baseline searches SQLite with FTS5 (bm25 order, snippet()), Quire on PostgreSQL with ts_rank and ts_headline, so order and snippets differ.',
      );
    }
  }
  if (r.writeAfterShardLoad !== undefined && r.writeAfterShardLoad !== 201) {
    lines.push(
      `**Writes broken after the sitemap-shard load:** a comment POST then got ${r.writeAfterShardLoad}. ` +
        'A shard stream holds a better-sqlite3 iterator open on the one connection, and better-sqlite3 refuses every write while one is open; streams cut off by the client never close theirs.',
    );
  }
  lines.push('');
  lines.push(
    '| scenario | req/s | p50 ms | p99 ms | errors | non-2xx | server peak RSS | cores: server / load generator | baseline req/s | baseline p99 ms | vs baseline | target | result |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const s of r.scenarios) lines.push(`| ${scenarioRow(s, r.targets)} |`);
  if (r.sitemapSet) {
    const s = r.sitemapSet;
    lines.push('');
    lines.push(
      `Sitemap set, fetched one file after another right after start: ${fmt(s.ms)} ms cold (${fmt(s.warmMs)} ms when fetched again), ` +
        `${fmt(s.urls)} URLs in ${fmt(s.bytes / MB, 1)} MB; server RSS ${mb(s.memory.start)} before, ${mb(s.memory.peak)} at the peak.`,
    );
    lines.push('');
    lines.push('| sitemap file (cold) | URLs | bytes | time |');
    lines.push('| --- | ---: | ---: | ---: |');
    for (const file of s.files) lines.push(`| ${file.path} | ${fmt(file.urls)} | ${fmt(file.bytes / 1024)} KiB | ${fmt(file.ms)} ms |`);
  }
  if (r.equality?.searches.length) {
    lines.push('');
    lines.push('| search, first request (uncached) | results | Quire | baseline |');
    lines.push('| --- | ---: | ---: | ---: |');
    for (const s of r.equality.searches) lines.push(`| \`${s.q}\` | ${s.results} | ${fmt(s.quireMs)} ms | ${fmt(s.baselineMs)} ms |`);
  }
  if (r.soak) {
    const { result, targetRate, windows } = r.soak;
    lines.push('');
    lines.push(
      `Soak: mixed load at ${fmt(targetRate)} req/s (80% of the mixed maximum) for ${fmt(result.seconds)} s: ${fmt(result.rps)} req/s served, p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms, ` +
        `${result.errors} errors, ${result.non2xx} non-2xx; server RSS ${mb(result.memory?.start)} at start, ${mb(result.memory?.end)} at end, ${mb(result.memory?.peak)} peak.`,
    );
    const { posts, before, after } = r.soak.growth;
    lines.push('');
    lines.push(
      `Comments on the ${fmt(posts)} posts the mixed load uses: ${fmt(before.total)} before the soak, ${fmt(after.total)} after; ` +
        `on the busiest (${after.busiest.slug}) ${fmt(before.busiest.comments)} before, ${fmt(after.busiest.comments)} after. ` +
        'Each new comment re-renders its post page with all of its comments, so that work grows as the soak runs.',
    );
    lines.push('');
    lines.push('| soak window from | requests | failed | p99 ms |');
    lines.push('| ---: | ---: | ---: | ---: |');
    for (const w of windows) lines.push(`| ${w.fromSecond} s | ${fmt(w.requests)} | ${w.failures} | ${ms(w.p99)} |`);
  }
  lines.push('');
  lines.push('| target | measured | result |');
  lines.push('| --- | --- | --- |');
  for (const t of r.targets) lines.push(`| ${t.what}: ${t.target} | ${t.measured} | ${mark(t.pass)} |`);
  if (r.equality?.mismatches.length) {
    lines.push('');
    lines.push('Baseline mismatches:');
    for (const mismatch of r.equality.mismatches) lines.push(`- \`${mismatch.path}\`: ${mismatch.detail}`);
  }
  return lines.join('\n');
}

export function writeJson(results: RunResults, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${results.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
