import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/*
 * Production servers (server/index.mjs on the existing build) that a test or benchmark starts,
 * signals and kills itself. NEXT_DIST_DIR is inherited, so a side build (`NEXT_DIST_DIR=.next-x
 * next build`) is what runs.
 */

/** Quire's server run by node itself, not through npm, so signals reach the server process. */
const SERVER = path.resolve('server', 'index.mjs');
/** What `npm start` and `npm run serve` run: it execs node with the memory settings, then SERVER. */
const START_SCRIPT = path.resolve('server', 'start.sh');

export const SERVER_ADMIN_TOKEN = 'resilience-admin-token-0123456789abcdef';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  port: number;
  url: string;
  pid: number;
  /** Everything the server printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Settles when the process has ended. */
  exited: Promise<Exit>;
  /** Waits (up to `timeoutMs`) for the process to end. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

const running = new Set<ChildProcess>();
const reservedPorts = new Set<number>();
const tempFolders = new Set<string>();

/** A database path in a new temporary folder. */
export function tempDatabasePath(prefix = 'quire-server-'): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempFolders.add(folder);
  return path.join(folder, 'quire.db');
}

/** Deletes the folders tempDatabasePath made (once their servers are gone). */
export function removeTempDatabases(): void {
  for (const folder of tempFolders) fs.rmSync(folder, { recursive: true, force: true });
  tempFolders.clear();
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port in [from, to] that nothing listens on and that no server of this process has (freed when it exits). */
export async function findFreePort(from = 3110, to = 3129): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (reservedPorts.has(port)) continue;
    if (await isPortFree(port)) {
      reservedPorts.add(port);
      return port;
    }
  }
  throw new Error(`No free port in ${from}-${to}.`);
}

/** Whether a new TCP connection to the port is refused (nothing listens there). */
export function isRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Waits for the condition, checking every `everyMs`, failing after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface StartOptions {
  databasePath: string;
  /** A port of your choice; by default a free one in 3110-3129. */
  port?: number;
  /** Overrides of the defaults: demo content on, an ADMIN_TOKEN, SITE_URL on the port. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Start it through server/start.sh, as in production, instead of `node server/index.mjs`. */
  startScript?: boolean;
}

class PortTaken extends Error {}

/**
 * Starts Quire's server on 127.0.0.1 with its own database and resolves once it listens and
 * /api/health answers 200. When another process takes the free port first, it tries another.
 */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    try {
      return await spawnServer(port, options);
    } catch (error) {
      if (!(error instanceof PortTaken) || options.port !== undefined || attempt === 5) throw error;
    }
  }
}

async function spawnServer(
  port: number,
  { databasePath, env = {}, readyTimeoutMs = 30_000, startScript = false }: StartOptions,
): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const [command, entry] = startScript ? ['sh', START_SCRIPT] : [process.execPath, SERVER];
  const child = spawn(command, [entry, '-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_PATH: databasePath,
      ADMIN_TOKEN: SERVER_ADMIN_TOKEN,
      SITE_URL: url,
      SITE_NAME: 'Quire',
      SEED_DEMO_CONTENT: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let hasExited = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      running.delete(child);
      reservedPorts.delete(port);
      resolve({ code, signal });
    });
  });

  const server: ServerProcess = {
    port,
    url,
    pid: child.pid!,
    output: () => output,
    exited,
    async waitForExit(timeoutMs = 15_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Server ${child.pid} did not exit within ${timeoutMs} ms.\n${output}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop(signal = 'SIGTERM', timeoutMs) {
      if (!hasExited) child.kill(signal);
      return server.waitForExit(timeoutMs);
    },
  };

  await waitFor(
    async () => {
      if (hasExited) {
        const message = `Server on port ${port} exited before it was ready:\n${output}`;
        throw output.includes('EADDRINUSE') ? new PortTaken(message) : new Error(message);
      }
      // "Ready" is printed once this process listens; until then /api/health might be another's.
      if (!output.includes('Ready in')) return false;
      try {
        return (await fetch(`${url}/api/health`)).status === 200;
      } catch {
        return false;
      }
    },
    `the server on port ${port} to answer /api/health`,
    readyTimeoutMs,
    50,
  );
  return server;
}

/** SIGKILLs every server this process started that is still running (for afterAll and finally blocks). */
export async function killAllServers(): Promise<void> {
  const ending = [...running].map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL'))));
  await Promise.all(ending);
}

/** An answer read whole: its status, the `x-nextjs-cache` header (which says a page came from the cache) and its text. */
export interface Answer {
  status: number;
  cache: string | undefined;
  body: string;
}

/**
 * One request on a new connection (no keep-alive, which would stick to one worker of WORKERS=N, so
 * the primary hands these to the workers in turn); `json` is sent as the author (SERVER_ADMIN_TOKEN).
 */
export function requestOnce(url: string, { method = 'GET', json }: { method?: string; json?: unknown } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const outgoing = http.request(
      url,
      {
        method,
        agent: false,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json', Authorization: `Bearer ${SERVER_ADMIN_TOKEN}` },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, cache: response.headers['x-nextjs-cache'] as string | undefined, body: text }),
        );
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}
