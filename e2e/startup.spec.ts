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
