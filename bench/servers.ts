/*
 * The processes under test: the production build of Quire (`next build`, server/index.mjs) and the
 * bare node:http baseline. Each runs in its own process group so that stopping it also stops
 * anything it spawned; every server started here is stopped on exit, on Ctrl-C and on errors.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { listeningPid } from './proc';

const ROOT = path.resolve(import.meta.dirname, '..');
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
/** What `npm start` and `npm run serve` run (Node's and malloc's memory settings, then server/index.mjs): Quire is measured as it runs in production. */
const START_SCRIPT = path.join(ROOT, 'server', 'start.sh');

export interface Server {
  name: string;
  url: string;
  port: number;
  /** The process we spawned (leader of its process group). */
  pid: number;
  /** The process that holds the listening socket: the one to measure. */
  servingPid: number;
  /** A cheap GET that answers 200 once the server has worked through what it was sent before. */
  healthPath: string;
  log: string;
  stop: () => Promise<void>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

/** Last resort when the bench itself exits: nothing it started may outlive it. */
export function killAllSync(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    killGroup(child, 'SIGKILL');
    await exited;
  }
  running.delete(child);
}

function spawnLogged(name: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, command = process.execPath): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', (error) => process.stderr.write(`${name}: ${error.message}\n`));
  return child;
}

/** Fails early and clearly when something else already listens where a server should. */
export async function assertPortFree(port: number): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (inUse) throw new Error(`Port ${port} on 127.0.0.1 is in use; choose another with --port.`);
}

async function status(url: string, timeoutMs = 2000): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** Polls until `url` answers 200; the milliseconds since `since`. */
async function waitFor200(url: string, since: number, child: ChildProcess, timeoutMs: number, logFile: string): Promise<number> {
  const deadline = since + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The server exited (${child.exitCode ?? child.signalCode}) before ${url} answered. Log:\n${tail(logFile)}`);
    }
    if ((await status(url)) === 200) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s. Log:\n${tail(logFile)}`);
}

const tail = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
};

/** `next build` into `distDir`. Next may add its types folder to tsconfig.json; that change is undone. */
export async function buildApp(distDir: string): Promise<number> {
  const tsconfig = path.join(ROOT, 'tsconfig.json');
  const before = fs.readFileSync(tsconfig, 'utf8');
  const started = performance.now();
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
    cwd: ROOT,
    env: { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
    // Build output goes to stderr so stdout stays the report.
    stdio: ['ignore', process.stderr, process.stderr],
  });
  running.add(child);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  running.delete(child);
  if (fs.readFileSync(tsconfig, 'utf8') !== before) fs.writeFileSync(tsconfig, before);
  if (code !== 0) throw new Error(`next build failed (exit ${code}).`);
  return (performance.now() - started) / 1000;
}

/**
 * Both servers read the same database file and build the same absolute URLs; with `databaseUrl`
 * Quire runs on PostgreSQL instead (a DATABASE_URL of the caller's own is never passed on).
 */
const serverEnv = (
  options: { dbPath: string; siteUrl: string; databaseUrl?: string },
  extra: Record<string, string>,
): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_PATH: options.dbPath,
  DATABASE_URL: options.databaseUrl ?? '',
  SITE_URL: options.siteUrl,
  // The load generators give each reader its own address in X-Forwarded-For (bench/scenarios.ts).
  TRUST_PROXY: 'loopback',
  ...extra,
});

export interface QuireStart {
  server: Server;
  /** Milliseconds from spawn to the first 200 of /api/health and of the home page. */
  coldStart: { healthMs: number; pageMs: number };
}

export async function startQuire(options: {
  port: number;
  /** WORKERS for the server; one process when left out. */
  workers?: number;
  distDir: string;
  dbPath: string;
  /** PostgreSQL's URL: Quire then runs on it instead of the SQLite file. */
  databaseUrl?: string;
  siteUrl: string;
  logDir: string;
}): Promise<QuireStart> {
  await assertPortFree(options.port);
  const log = path.join(options.logDir, 'quire.log');
  const env = serverEnv(options, {
    NEXT_DIST_DIR: options.distDir,
    NEXT_TELEMETRY_DISABLED: '1',
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    SEED_DEMO_CONTENT: 'false',
    WORKERS: String(options.workers ?? 1),
  });
  const started = performance.now();
  const child = spawnLogged('quire', [START_SCRIPT, '-H', '127.0.0.1', '-p', String(options.port)], env, log, 'sh');
  const url = `http://127.0.0.1:${options.port}`;
  const healthMs = await waitFor200(`${url}/api/health`, started, child, 60_000, log);
  const pageMs = await waitFor200(`${url}/`, started, child, 60_000, log);
  return { server: describe('quire', child, url, options.port, log, '/api/health'), coldStart: { healthMs, pageMs } };
}

export async function startBaseline(options: { port: number; dbPath: string; siteUrl: string; logDir: string }): Promise<Server> {
  await assertPortFree(options.port);
  const log = path.join(options.logDir, 'baseline.log');
  const env = serverEnv(options, { PORT: String(options.port) });
  const started = performance.now();
  const child = spawnLogged('baseline', ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-server.ts')], env, log);
  const url = `http://127.0.0.1:${options.port}`;
  await waitFor200(`${url}/health`, started, child, 60_000, log);
  return describe('baseline', child, url, options.port, log, '/health');
}

function describe(name: string, child: ChildProcess, url: string, port: number, log: string, healthPath: string): Server {
  return {
    name,
    url,
    port,
    pid: child.pid!,
    servingPid: listeningPid(child.pid!, port) ?? child.pid!,
    healthPath,
    log,
    stop: () => stopChild(child),
  };
}

/**
 * Waits until each server has answered everything queued before (a run stops sending at its
 * deadline, not when the server is done), so one run's backlog never lands in the next one.
 */
export async function waitIdle(servers: Server[]): Promise<void> {
  for (const server of servers) await status(`${server.url}${server.healthPath}`, 120_000);
}
