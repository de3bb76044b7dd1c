import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/*
 * A throw-away redis-server for tests: loopback only, a free port, no persistence, its own folder,
 * stopped by the test. Debian's `redis-server` package; CI (.ci/run) installs it.
 */

function findBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const REDIS_SERVER = findBinary();

/** Why Redis tests are skipped here, or undefined when they run. In CI a missing binary fails them instead. */
export const redisSkipReason =
  REDIS_SERVER || process.env.CI ? undefined : 'redis-server is not installed (apt-get install redis-server); CI installs it';

export interface RedisServer {
  port: number;
  url: string;
  /** Sends a command with redis-cli, for checks from outside the code under test. */
  cli(...args: string[]): string;
  /** SIGSTOP / SIGCONT: a Redis that accepts connections but does not answer. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port; `password` makes it require AUTH. */
export async function startRedis({ password }: { password?: string } = {}): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed: apt-get install -y --no-install-recommends redis-server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-redis-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    if (password) args.push('--requirepass', password);
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (output.includes('Ready to accept connections')) done(true);
      }, 20);
      const done = (value: boolean) => {
        clearInterval(timer);
        resolve(value);
      };
      child.once('exit', () => done(false));
      setTimeout(() => done(false), 10_000);
    });
    if (!ready) {
      child.kill('SIGKILL');
      if (attempt < 3) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start:\n${output}`);
    }
    return handle(child, port, dir, password);
  }
}

function handle(child: ChildProcess, port: number, dir: string, password?: string): RedisServer {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cli: (...args) =>
      execFileSync(
        'redis-cli',
        ['-h', '127.0.0.1', '-p', String(port), ...(password ? ['--no-auth-warning', '-a', password] : []), ...args],
        {
          encoding: 'utf8',
        },
      ).trim(),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
