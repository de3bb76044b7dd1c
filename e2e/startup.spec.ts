import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { killAllServers, removeTempDatabases, startServer, tempDatabasePath } from './server-process';

/* What the server says and links to when it starts without a SITE_URL, on a port of its own. */

test.afterAll(async () => {
  await killAllServers();
  removeTempDatabases();
});

test('without SITE_URL, the start-up message and every link name the address the server listens on', async () => {
  const server = await startServer({ databasePath: tempDatabasePath(), env: { SITE_URL: '' } });
  try {
    expect(server.output()).toContain(`Quire: listening on ${server.url} (production)`);
    expect(server.output()).toMatch(/\(production\) with SQLite at .+\. Ready in \d+ ms\./);
    expect(server.output()).toContain(`Create one at ${server.url}/admin/setup`);
    const home = await (await fetch(`${server.url}/`)).text();
    expect(home).toContain(`<link rel="canonical" href="${server.url}"/>`);
  } finally {
    await server.stop();
  }
});

test('an invalid setting stops start-up with a message naming it, instead of answering 500s', async () => {
  const starting = startServer({ databasePath: tempDatabasePath(), env: { SITE_URL: 'blog.example.com' } });
  await expect(starting).rejects.toThrow(/Invalid configuration:\n  SITE_URL: /);
});

test('server/start.sh (npm start, npm run serve) becomes the server with its memory settings, and a SIGTERM reaches it', async () => {
  const server = await startServer({
    databasePath: tempDatabasePath(),
    env: { MALLOC_ARENA_MAX: '', MALLOC_MMAP_THRESHOLD_: '' },
    startScript: true,
  });
  // The process we started is node itself (the script execs it), so signals go straight to the server.
  const argv = fs.readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
  expect(path.basename(argv[0]!)).toBe(path.basename(process.execPath));
  expect(argv).toEqual(expect.arrayContaining(['--max-old-space-size=192', '--max-semi-space-size=8']));
  // An empty or unset malloc variable gets Quire's value; one the operator set is kept.
  const environment = fs.readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
  expect(environment).toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=131072']));
  expect((await fetch(`${server.url}/`)).status).toBe(200);
  expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
});

test('server/start.sh keeps a malloc setting the operator chose', async () => {
  const server = await startServer({
    databasePath: tempDatabasePath(),
    env: { MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '' },
    startScript: true,
  });
  try {
    const environment = fs.readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
    expect(environment).toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX=4', 'MALLOC_MMAP_THRESHOLD_=131072']));
  } finally {
    await server.stop();
  }
});
