import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

/*
 * `next build` prerenders pages (the 404 page, for one) whose layout reads the site's settings.
 * The build must not create the blog's database: the first `npm start` would find it and skip the
 * demo content, and a new user would see an empty blog.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-build-phase-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function readIdentity(databasePath: string, phase?: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_PATH: databasePath, SITE_NAME: 'Build check' };
  if (phase) env.NEXT_PHASE = phase;
  else delete env.NEXT_PHASE;
  return execFileSync(process.execPath, ['--import', 'tsx', 'tests/fixtures/read-site-identity.ts'], { env, encoding: 'utf8' }).trim();
}

it('reading the site settings during next build leaves no database file behind', () => {
  const file = path.join(dir, 'build', 'quire.db');
  expect(readIdentity(file, 'phase-production-build')).toBe('Build check');
  expect(fs.existsSync(path.dirname(file)) && fs.readdirSync(path.dirname(file))).toBeFalsy();
});

it('the same read on a running server opens (and creates) the database', () => {
  const file = path.join(dir, 'server', 'quire.db');
  expect(readIdentity(file)).toBe('Build check');
  expect(fs.existsSync(file)).toBe(true);
});
