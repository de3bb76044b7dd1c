/*
 * `npm run bench -- [--posts 100000] [--duration 10] [--connections 32] [--only api-posts,home] [--soak] [--db postgres]`
 *
 * 1. next build (into .next-bench), 2. seed a fresh database in a temp dir (with --db postgres, copy it
 * into a throw-away PostgreSQL server), 3. start Quire's server (server/index.mjs) and time its cold
 * start, 4. fetch the whole sitemap set cold, 5. start the node:http baseline and check it answers
 * with Quire's bytes, 6. load each scenario on both, 7. optionally soak, 8. report
 * (Markdown on stdout, JSON in bench/results/). Servers are always stopped; the temp dir is removed
 * unless --keep.
 */
import fs from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3';
import path from 'node:path';
import { USAGE, parseOptions } from './options';
import {
  type CommentLoad,
  type RunResults,
  type ScenarioResult,
  type SoakResult,
  checkTargets,
  machineInfo,
  renderMarkdown,
  writeJson,
} from './report';
import { type PostgresCopy, copyToPostgres, queryPostgres } from './postgres';
import { SCENARIOS, type ScenarioContext, compareWithBaseline, findShardPath, measure, measureSitemapSet, probeWrite } from './scenarios';
import { seedDatabase } from './seed';
import { type Server, buildApp, killAllSync, startBaseline, startQuire, waitIdle } from './servers';

function readOptions() {
  try {
    return parseOptions(process.argv.slice(2));
  } catch (error) {
    // A mistyped option is the user's to fix: say what is wrong, no stack trace.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const options = readOptions();
if (!options) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const say = (message: string) => process.stderr.write(`${message}\n`);
const startedAt = new Date().toISOString();
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-bench-'));
const servers: Server[] = [];
/** With --db postgres: the throw-away server Quire runs on (it also stops itself should the bench exit early). */
let postgres: PostgresCopy | undefined;

function cleanUp(): void {
  killAllSync();
  if (options!.keep) say(`Kept the database and server logs in ${tempDir}`);
  else fs.rmSync(tempDir, { recursive: true, force: true });
}
process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the servers.`);
    process.exit(130);
  });
}

async function main(): Promise<void> {
  const opts = options!;
  const machine = machineInfo();
  const siteUrl = `http://127.0.0.1:${opts.port}`;
  // Each worker compiles its own code: with N workers the warm-up is N times as long, so that each one
  // is as warm as a single server (with 2 s for two workers, the first seconds measured ran colder code).
  const warmup = opts.warmup * opts.workers;
  const load = { connections: opts.connections, duration: opts.duration, warmup, quiet: [] as Server[] };

  let buildSeconds: number | null = null;
  if (opts.build) {
    say(`Building the production app into ${opts.distDir} ...`);
    buildSeconds = await buildApp(opts.distDir);
  } else if (!fs.existsSync(path.resolve(import.meta.dirname, '..', opts.distDir, 'BUILD_ID'))) {
    throw new Error(`--no-build: there is no build in ${opts.distDir}; run once without --no-build.`);
  }

  say(`Seeding ${opts.posts.toLocaleString('en')} posts into ${tempDir} ...`);
  const fixture = await seedDatabase({ posts: opts.posts, comments: opts.comments, dir: tempDir, siteUrl });
  say(`  ${fixture.seedSeconds.toFixed(1)} s, ${(fixture.dbBytes / 2 ** 20).toFixed(0)} MB`);
  if (opts.db === 'postgres') {
    say('Starting PostgreSQL and copying the blog into it ...');
    postgres = await copyToPostgres(fixture.dbPath);
    say(`  PostgreSQL ${postgres.version}: ${postgres.seconds.toFixed(1)} s, ${(postgres.bytes / 2 ** 20).toFixed(0)} MB`);
  }
  const data: DataSource = { sqlitePath: fixture.dbPath, postgresUrl: postgres?.url };

  say(`Starting Quire (server/index.mjs, WORKERS=${opts.workers}, ${postgres ? 'PostgreSQL' : 'SQLite'}) ...`);
  const { server: quire, coldStart } = await startQuire({
    port: opts.port,
    workers: opts.workers,
    distDir: opts.distDir,
    dbPath: fixture.dbPath,
    databaseUrl: postgres?.url,
    siteUrl,
    logDir: tempDir,
  });
  servers.push(quire);
  say(
    `  first 200: /api/health ${coldStart.healthMs.toFixed(0)} ms, / ${coldStart.pageMs.toFixed(0)} ms (serving pid ${quire.servingPid})`,
  );

  say('Fetching the sitemap set, cold ...');
  const sitemapSet = await measureSitemapSet(quire, siteUrl);
  say(
    `  ${sitemapSet.files.length} files, ${sitemapSet.urls} URLs in ${sitemapSet.ms.toFixed(0)} ms, peak RSS ${(sitemapSet.memory.peak / 2 ** 20).toFixed(0)} MB`,
  );

  say('Starting the baseline and comparing answers ...');
  const baseline = await startBaseline({ port: opts.port + 1, dbPath: fixture.dbPath, siteUrl, logDir: tempDir });
  servers.push(baseline);
  const selected = SCENARIOS.filter((s) => opts.only.includes(s.id) || (s.id === 'mixed' && opts.soak));
  const searches = selected.some((s) => s.id === 'api-search' || s.id === 'mixed');
  const equality = await compareWithBaseline(quire, baseline, fixture, { searches });
  say(`  ${equality.checked} responses compared, ${equality.mismatches.length} differ`);
  for (const mismatch of equality.mismatches) say(`  MISMATCH ${mismatch.path}: ${mismatch.detail}`);

  load.quiet = servers;
  const context: ScenarioContext = { fixture, shardPath: await findShardPath(quire, siteUrl) };
  const scenarios: ScenarioResult[] = [];
  let soak: SoakResult | undefined;
  let writeAfterShardLoad: number | string | undefined;
  for (const scenario of selected) {
    say(`Scenario ${scenario.id}: ${scenario.label}`);
    const scenarioLoad = { ...load, connections: scenario.connections ?? load.connections };
    const result = await measure(quire, scenario.requests(context), scenarioLoad);
    say(`  Quire     ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, ${result.errors} errors, ${result.non2xx} non-2xx`);
    const base = scenario.baseline ? await measure(baseline, scenario.requests(context), scenarioLoad) : undefined;
    if (base) say(`  baseline  ${base.rps.toFixed(0)} req/s, p99 ${base.p99} ms, ${base.errors} errors, ${base.non2xx} non-2xx`);
    scenarios.push({ id: scenario.id, label: scenario.label, group: scenario.group, quire: result, baseline: base });
    if (scenario.id === 'comment-post-hot') {
      say(`  ${(await commentLoad(data, [fixture.hotWriteSlug])).total} approved comments on ${fixture.hotWriteSlug} now`);
    }
    if (scenario.id === 'mixed' && opts.soak) soak = await runSoak(quire, context, data, result.rps, opts);
    if (scenario.id === 'sitemap-shard') {
      await waitIdle(servers);
      writeAfterShardLoad = await probeWrite(quire, fixture.writeSlugs[0]!);
      say(`  a comment POST right after it: ${writeAfterShardLoad}`);
    }
  }

  for (const server of servers) await server.stop();
  await postgres?.server.stop();
  machine.loadAfter = os.loadavg()[0];
  const partial: Omit<RunResults, 'targets'> = {
    startedAt,
    options: { ...opts, baselinePort: opts.port + 1 },
    machine,
    database: postgres
      ? {
          dialect: 'postgres',
          version: postgres.version,
          poolSize: Number(process.env.DATABASE_POOL_SIZE) || 10,
          copySeconds: postgres.seconds,
          mb: postgres.bytes / 2 ** 20,
        }
      : { dialect: 'sqlite', version: machine.sqlite },
    buildSeconds,
    seed: {
      posts: fixture.posts,
      commentsOnMeasured: fixture.commentsOnMeasured,
      commentsOnHotWrite: fixture.commentsOnHotWrite,
      seconds: fixture.seedSeconds,
      dbMb: fixture.dbBytes / 2 ** 20,
      measuredSlug: fixture.measuredSlug,
    },
    coldStart,
    sitemapSet,
    equality,
    scenarios,
    soak,
    writeAfterShardLoad,
  };
  const results: RunResults = { ...partial, targets: checkTargets(partial, opts.connections) };
  process.stdout.write(`${renderMarkdown(results)}\n`);
  say(`\nJSON: ${path.relative(process.cwd(), writeJson(results, path.resolve(import.meta.dirname, 'results')))}`);
}

/** Where Quire's data is: the SQLite file, or the PostgreSQL database it was copied to. */
interface DataSource {
  sqlitePath: string;
  postgresUrl?: string;
}

/** The comments on the posts the mixed load uses, read through a (read-only) connection of our own. */
async function commentLoad({ sqlitePath, postgresUrl }: DataSource, slugs: string[]): Promise<CommentLoad> {
  if (postgresUrl) {
    const hot = 'FROM posts WHERE slug = ANY($1)';
    const [total] = await queryPostgres<{ total: number }>(postgresUrl, `SELECT coalesce(sum(comment_count), 0)::int AS total ${hot}`, [
      slugs,
    ]);
    const [busiest] = await queryPostgres<CommentLoad['busiest']>(
      postgresUrl,
      `SELECT slug, comment_count AS comments ${hot} ORDER BY comment_count DESC LIMIT 1`,
      [slugs],
    );
    return { total: total!.total, busiest: busiest! };
  }
  const db = new Database(sqlitePath, { readonly: true });
  try {
    const hot = `FROM posts WHERE slug IN (SELECT value FROM json_each(?))`;
    const { total } = db.prepare(`SELECT coalesce(sum(comment_count), 0) AS total ${hot}`).get(JSON.stringify(slugs)) as { total: number };
    const busiest = db
      .prepare(`SELECT slug, comment_count AS comments ${hot} ORDER BY comment_count DESC LIMIT 1`)
      .get(JSON.stringify(slugs));
    return { total, busiest: busiest as CommentLoad['busiest'] };
  } finally {
    db.close();
  }
}

/** Mixed load held at 80% of the measured maximum, followed window by window. */
async function runSoak(
  quire: Server,
  context: ScenarioContext,
  data: DataSource,
  mixedRps: number,
  opts: NonNullable<typeof options>,
): Promise<SoakResult> {
  const targetRate = Math.max(1, Math.round(mixedRps * 0.8));
  const windowSeconds = opts.soakSeconds >= 180 ? 60 : 10;
  say(`Soak: mixed at ${targetRate} req/s for ${opts.soakSeconds} s ...`);
  const windows = new Map<number, { latencies: number[]; failures: number }>();
  const started = performance.now();
  const mixed = SCENARIOS.find((s) => s.id === 'mixed')!;
  const before = await commentLoad(data, context.fixture.hotSlugs);
  const result = await measure(quire, mixed.requests(context), {
    connections: opts.connections,
    duration: opts.soakSeconds,
    warmup: 0,
    quiet: servers,
    overallRate: targetRate,
    onResponse: (status, ms) => {
      const window = Math.floor((performance.now() - started) / 1000 / windowSeconds) * windowSeconds;
      const bucket = windows.get(window) ?? { latencies: [], failures: 0 };
      bucket.latencies.push(ms);
      if (status >= 300) bucket.failures++;
      windows.set(window, bucket);
    },
  });
  const p99 = (values: number[]) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))] ?? 0;
  return {
    targetRate,
    result,
    growth: { posts: context.fixture.hotSlugs.length, before, after: await commentLoad(data, context.fixture.hotSlugs) },
    windows: [...windows]
      // The last, partial window is only the tail of the run.
      .filter(([fromSecond]) => fromSecond < opts.soakSeconds)
      .map(([fromSecond, { latencies, failures }]) => ({
        fromSecond,
        requests: latencies.length,
        failures,
        p99: p99(latencies),
      })),
  };
}

try {
  await main();
} catch (error) {
  say(`\nBenchmark failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  for (const server of servers) await server.stop();
  await postgres?.server.stop();
}
