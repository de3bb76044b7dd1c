import type { Page } from '@playwright/test';
import { type ServerProcess, startServer, tempDatabasePath } from './server-process';

/*
 * A blog of a spec's own: a server on a new database whose author account is made through first-run
 * setup. For specs that change what every page shows (site settings), so the other specs, running at
 * the same time, keep seeing the blog they expect.
 */

export interface Author {
  name: string;
  email: string;
  password: string;
}

export interface OwnBlog {
  server: ServerProcess;
  /** Gives the page's browser context the author's session cookie. */
  signIn(page: Page): Promise<void>;
}

export async function startOwnBlog(author: Author, env: Record<string, string> = {}): Promise<OwnBlog> {
  const setupToken = 'own-blog-setup-token-0123456789';
  const server = await startServer({ databasePath: tempDatabasePath(), env: { ADMIN_SETUP_TOKEN: setupToken, ...env } });
  const setup = await fetch(`${server.url}/api/setup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: server.url },
    body: JSON.stringify({ setupToken, ...author }),
  });
  if (setup.status !== 201) throw new Error(`First-run setup answered ${setup.status}: ${await setup.text()}`);
  return {
    server,
    async signIn(page) {
      const response = await page.request.post(`${server.url}/api/session`, {
        headers: { Origin: server.url },
        data: { email: author.email, password: author.password },
      });
      if (response.status() !== 200) throw new Error(`Sign-in answered ${response.status()}.`);
    },
  };
}
