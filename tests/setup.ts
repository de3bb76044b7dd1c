import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

// Every test file gets a real, empty SQLite file of its own, deleted afterwards. In the postgres
// project, tests/postgres-setup.ts runs next and gives it a database of its own there instead.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-test-'));
process.env.DATABASE_PATH = path.join(dir, 'quire.db');
delete process.env.DATABASE_URL;
process.env.SEED_DEMO_CONTENT = 'false';
process.env.SITE_URL = 'https://blog.example.test';
process.env.ADMIN_TOKEN ??= 'test-admin-token-0123456789';

afterAll(async () => {
  try {
    await (await import('@/db')).closeDb();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
