import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORT, serverAddress } from '@/lib/env';

/*
 * `npm run admin:create` ends by saying where to sign in: the blog's address, which is SITE_URL when
 * set and otherwise where the server started with the same settings listens (PORT, HOSTNAME).
 */

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-admin-create-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let runs = 0;

/** Runs the script as `npm run admin:create -- --email … --name …` does, on a new database, with only `env` set of the address settings. */
async function createAuthor(env: Record<string, string>): Promise<string> {
  const base = { ...process.env };
  for (const name of ['SITE_URL', 'PORT', 'HOSTNAME', 'DATABASE_URL']) delete base[name];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/admin-create.ts', '--email', 'ada@example.com', '--name', 'Ada'],
    {
      env: {
        ...base,
        DATABASE_PATH: path.join(work, `${++runs}.db`),
        QUIRE_ADMIN_PASSWORD: 'correct horse battery staple',
        ...env,
      },
      encoding: 'utf8',
    },
  );
  return stdout.match(/Sign in at (\S+)\.$/m)?.[1] ?? stdout;
}

describe('npm run admin:create', { timeout: 60_000 }, () => {
  it('prints the address the server listens on, or SITE_URL', async () => {
    const printed = await Promise.all([
      createAuthor({}),
      createAuthor({ PORT: '4123' }),
      createAuthor({ PORT: '4123', HOSTNAME: '127.0.0.1' }),
      createAuthor({ PORT: '4123', SITE_URL: 'https://blog.example.com/' }),
    ]);
    expect(printed).toEqual([
      'http://localhost:3000/admin',
      'http://localhost:4123/admin',
      'http://127.0.0.1:4123/admin',
      'https://blog.example.com/admin',
    ]);
  });
});

describe('the server’s address (lib/env.js)', () => {
  it('is localhost on the default port unless -H, -p, HOSTNAME or PORT say otherwise', () => {
    expect(DEFAULT_PORT).toBe(3000);
    expect(serverAddress({}, {})).toEqual({ hostname: '0.0.0.0', port: 3000, url: 'http://localhost:3000' });
    expect(serverAddress({}, { PORT: '8080' }).url).toBe('http://localhost:8080');
    expect(serverAddress({ port: '9000' }, { PORT: '8080' }).url).toBe('http://localhost:9000');
    expect(serverAddress({}, { HOSTNAME: '::' }).url).toBe('http://localhost:3000');
    expect(serverAddress({ hostname: '127.0.0.1' }, { HOSTNAME: 'ignored' }).url).toBe('http://127.0.0.1:3000');
    expect(serverAddress({ hostname: '::1' }, {}).url).toBe('http://[::1]:3000');
  });
});
