import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * What the browser's bundle takes from lib/: client components import a few pure modules (paths,
 * formats, schemas for their types and limits). None may reach the configuration (lib/env.js reads
 * the server's variables and brings zod's env schemas, proxy-addr and ipaddr.js with it) or db/
 * (but its enums).
 * Walks the import graph by source text, as the bundler does; type-only imports leave no code.
 */

const ROOT = process.cwd();
const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.mjs', '/index.ts'];
/** db/enums.ts is the one module of db/ meant for everyone: the statuses as plain lists. */
const SERVER_ONLY = [/^lib\/env\.js$/, /^db\/(?!enums\.ts$)/];

function resolve(specifier: string, from: string): string | undefined {
  const base = specifier.startsWith('@/')
    ? path.join(ROOT, specifier.slice(2))
    : specifier.startsWith('.')
      ? path.resolve(path.dirname(from), specifier)
      : undefined;
  if (!base) return undefined;
  return EXTENSIONS.map((extension) => base + extension).find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
}

/** The modules a file imports for their values: `import type` and `import { type A }` only are left out. */
function valueImports(file: string): string[] {
  const statements = fs.readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s+(?!type\s)([^'";]*?)\s*(?:from\s+)?['"]([^'"]+)['"]/gm);
  return [...statements]
    .filter(([, clause]) => {
      const named = /^\{([^}]*)\}$/.exec(clause!.trim());
      return !named || named[1]!.split(',').some((name) => name.trim() && !name.trim().startsWith('type '));
    })
    .flatMap(([, , specifier]) => resolve(specifier!, file) ?? []);
}

function clientComponents(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    return entry.isFile() && /\.tsx?$/.test(entry.name) && /^['"]use client['"]/.test(fs.readFileSync(file, 'utf8').trimStart())
      ? [file]
      : [];
  });
}

describe("the browser's bundle", () => {
  it('reaches neither the configuration nor the database from any client component', () => {
    const starts = [...clientComponents(path.join(ROOT, 'components')), ...clientComponents(path.join(ROOT, 'app'))];
    expect(starts.length).toBeGreaterThan(5);
    const via = new Map<string, string | undefined>(starts.map((file) => [file, undefined]));
    const queue = [...starts];
    for (const file of queue) {
      for (const imported of valueImports(file)) {
        if (via.has(imported)) continue;
        via.set(imported, file);
        queue.push(imported);
      }
    }
    const chain = (file: string): string[] => {
      const parent = via.get(file);
      return [path.relative(ROOT, file), ...(parent ? chain(parent) : [])];
    };
    const reached = [...via.keys()].filter((file) => SERVER_ONLY.some((pattern) => pattern.test(path.relative(ROOT, file))));
    expect(reached.map((file) => chain(file).join(' <- '))).toEqual([]);
  });
});
