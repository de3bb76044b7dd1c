import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { BROWSER_TIME_ZONE, SITE_TIME_ZONE } from './e2e/site-constants';

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;

// The runner and each worker load this file; the first load creates a fresh database path, the rest inherit it.
process.env.E2E_DATABASE_PATH ??= path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'quire-e2e-')), 'quire.db');
process.env.E2E_ADMIN_TOKEN ??= 'e2e-admin-token-0123456789abcdef';
process.env.E2E_SETUP_TOKEN ??= 'e2e-setup-token-0123456789abcdef';

// Where Playwright cannot download its own browser (this project's CI), use Debian's Chromium.
const chromiumPath = process.env.CHROMIUM_PATH || ['/usr/lib/chromium/chromium'].find((file) => fs.existsSync(file));

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    timezoneId: BROWSER_TIME_ZONE,
    trace: 'retain-on-failure',
    ...(chromiumPath && {
      launchOptions: {
        executablePath: chromiumPath,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
        ],
      },
    }),
  },
  projects: [
    // First-run setup through the admin UI; it saves the author's session for the other specs.
    { name: 'setup', testMatch: /.*\.setup\.ts/, use: { ...devices['Desktop Chrome'] } },
    {
      name: 'chromium',
      dependencies: ['setup'],
      testIgnore: /(caching|resilience|workers|redis|postgres|scheduling)\.spec\.ts/,
      use: { ...devices['Desktop Chrome'] },
    },
    // Observes the cache, which other specs' writes expire, so it runs alone once they are done.
    { name: 'caching', dependencies: ['chromium'], testMatch: /caching\.spec\.ts/ },
    // Start, load and kill servers (and a Redis) of their own; last, so their load does not slow the browser specs.
    { name: 'resilience', dependencies: ['caching'], testMatch: /(resilience|workers|redis|postgres|scheduling)\.spec\.ts/ },
  ],
  // A production server (`next build` runs first, in `npm run test:e2e`) on a brand-new database with demo content.
  webServer: {
    command: `node server/index.mjs -H 127.0.0.1 -p ${PORT}`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    env: {
      DATABASE_PATH: process.env.E2E_DATABASE_PATH,
      ADMIN_TOKEN: process.env.E2E_ADMIN_TOKEN,
      ADMIN_SETUP_TOKEN: process.env.E2E_SETUP_TOKEN,
      SITE_URL: baseURL,
      SITE_NAME: 'Quire',
      SITE_TIME_ZONE,
      SEED_DEMO_CONTENT: 'true',
      // The specs stand in for readers at many addresses through X-Forwarded-For, as a reverse
      // proxy on this machine would send it; e2e/security.spec.ts checks the default trusts no one.
      TRUST_PROXY: 'loopback',
    },
  },
});
