import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';

/*
 * A throw-away PostgreSQL server for tests, e2e specs and benchmarks: its own data folder, a free
 * loopback port, no system service, stopped by whoever started it. Debian's `postgresql` package;
 * CI (.ci/run) installs it. initdb and postgres refuse to run as root, so as root they run as the
 * `postgres` user that package creates, on a folder that user owns.
 */

/** The folder with initdb, postgres and psql: the newest Debian version, else the one on PATH. */
function findBinaries(): string | undefined {
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((version) => fs.existsSync(path.join(debian, version, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(debian, versions[0], 'bin');
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    return initdb ? path.dirname(initdb) : undefined;
  } catch {
    return undefined;
  }
}

export const POSTGRES_BIN = findBinaries();

/** Why PostgreSQL tests are skipped here, or undefined when they run. In CI a missing server fails them instead. */
export const postgresSkipReason =
  POSTGRES_BIN || process.env.CI ? undefined : 'PostgreSQL is not installed (apt-get install postgresql); CI installs it';

/** The superuser initdb creates; the server trusts it on loopback, so URLs carry no password. */
const SUPERUSER = 'quire';

/** As root, the uid and gid of `postgres`, for the server's own processes; otherwise nothing to change. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      'initdb and postgres refuse to run as root, and there is no `postgres` user to run them as (apt-get install postgresql)',
    );
  }
}

export interface PostgresServer {
  port: number;
  /** The `postgres` maintenance database, as the superuser `quire`. */
  url: string;
  /** Creates an empty database and returns its URL (`createDatabase(url, name)` does the same from the URL alone). */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL with psql as the superuser (in `database`, by default `postgres`) and returns its unaligned output. */
  psql(sql: string, database?: string): string;
  /** Stops the server and deletes its data folder. */
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL server on a free loopback port, tuned for tests: no fsync, nothing kept after
 * `stop()`. The C collation sorts text by code point, as SQLite does. Loopback connections as `quire`
 * are trusted; any other role must give its password (scram-sha-256), so a test can check a wrong one.
 */
export async function startPostgres(): Promise<PostgresServer> {
  if (!POSTGRES_BIN) throw new Error('PostgreSQL is not installed: apt-get install -y --no-install-recommends postgresql');
  const bin = POSTGRES_BIN;
  const user = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-postgres-'));
  if (user) fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  try {
    execFileSync(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
      { encoding: 'utf8', stdio: 'pipe', ...user },
    );
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(`initdb failed:\n${output.stdout ?? ''}${output.stderr ?? error}`);
  }
  fs.writeFileSync(
    path.join(data, 'pg_hba.conf'),
    ['local all all trust', `host all ${SUPERUSER} 127.0.0.1/32 trust`, 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
  );
  if (user) fs.chownSync(path.join(data, 'pg_hba.conf'), user.uid, user.gid);

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // prettier-ignore
    const settings = [
      `listen_addresses=127.0.0.1`, `unix_socket_directories=${dir}`,
      // Nothing here has to survive a crash: the data folder is deleted anyway.
      'fsync=off', 'synchronous_commit=off', 'full_page_writes=off',
      // A pool of 10 per test file, several files at once, and the suite's own clients.
      'max_connections=200', 'shared_buffers=64MB',
      'log_min_messages=warning', 'log_line_prefix=%m [%p] ',
    ];
    const args = ['-D', data, '-p', String(port), ...settings.flatMap((setting) => ['-c', setting])];
    const child = spawn(path.join(bin, 'postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], ...user });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (output.includes('database system is ready to accept connections')) done(true);
      }, 20);
      const timeout = setTimeout(() => done(false), 30_000);
      const done = (value: boolean) => {
        clearInterval(timer);
        clearTimeout(timeout);
        resolve(value);
      };
      child.once('exit', () => done(false));
    });
    if (!ready) {
      child.kill('SIGKILL');
      // Another process may have taken the port between the probe and the start.
      if (attempt < 3 && /could not (bind|create listen socket)/.test(output)) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres did not start:\n${output}`);
    }
    return handle(child, bin, port, dir);
  }
}

function handle(child: ChildProcess, bin: string, port: number, dir: string): PostgresServer {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  // Should the process exit without stop() (process.exit, an uncaught error), no server or folder is left
  // behind. Ctrl-C reaches the server itself: it is in the same process group.
  const onExit = () => {
    if (running()) child.kill('SIGQUIT');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  return {
    port,
    url,
    createDatabase: (name) => createDatabase(url, name),
    psql(sql, database = 'postgres') {
      const connect = ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-d', database];
      const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...connect, '-c', sql];
      return execFileSync(path.join(bin, 'psql'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    },
    async stop() {
      process.removeListener('exit', onExit);
      if (running()) {
        // Immediate shutdown: what it would lose is deleted next.
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL of `database` on the server at `serverUrl` (same host, port and credentials). */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function maintenance<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the server at `serverUrl` (as its superuser) and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  if (!DATABASE_NAME.test(name)) throw new Error(`Not a plain database name: ${JSON.stringify(name)}`);
  await maintenance(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  return databaseUrl(serverUrl, name);
}

/** Drops a database, disconnecting whoever is still on it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!DATABASE_NAME.test(name)) throw new Error(`Not a plain database name: ${JSON.stringify(name)}`);
  await maintenance(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
