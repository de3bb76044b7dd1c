import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios';

export const USAGE = `Usage: npm run bench -- [options]

Builds Quire for production, seeds a throw-away database, starts Quire's server (server/index.mjs) and a bare
node:http baseline on 127.0.0.1, and measures every scenario with autocannon.

  --posts N            published posts to seed (default 10000; 100000 for the sitemap target)
  --comments N         comments (with replies) on the measured post (default 50)
  --duration S         seconds of measured load per scenario and server (default 10)
  --warmup S           seconds of unmeasured load before each run (default 2; times N with --workers N)
  --connections N      concurrent connections (default 32)
  --only IDS           comma-separated scenarios to run (default: all): ${SCENARIOS.map((s) => s.id).join(', ')}
  --soak               also run the soak: mixed load at 80% of the mixed maximum
  --soak-duration T    soak length: seconds, or with s/m (default 5m)
  --port N             Quire's port (default 3200); the baseline uses the next one
  --workers N          run Quire with WORKERS=N server processes (default 1); RSS is then the primary's
  --db sqlite|postgres the database Quire runs on (default sqlite); postgres starts a throw-away PostgreSQL
                       server and copies the seeded blog into it (the baseline stays on the SQLite file)
  --no-build           reuse the build in NEXT_DIST_DIR (default .next-bench)
  --keep               keep the temporary database and server logs (a PostgreSQL server is always removed)
  --help               show this text
`;

export interface BenchOptions {
  posts: number;
  comments: number;
  duration: number;
  warmup: number;
  connections: number;
  only: string[];
  soak: boolean;
  soakSeconds: number;
  port: number;
  workers: number;
  db: 'sqlite' | 'postgres';
  build: boolean;
  keep: boolean;
  distDir: string;
}

function count(name: string, value: string, min: number): number {
  const n = Number(value.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min} (got "${value}").`);
  return n;
}

function seconds(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(value.trim());
  if (!match) throw new Error(`--soak-duration takes seconds, or a number with s or m, e.g. 300, 90s, 5m (got "${value}").`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

/** Parses the command line; returns undefined when only help was asked for. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      posts: { type: 'string', default: '10000' },
      comments: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '32' },
      only: { type: 'string' },
      soak: { type: 'boolean', default: false },
      'soak-duration': { type: 'string', default: '5m' },
      port: { type: 'string', default: '3200' },
      workers: { type: 'string', default: '1' },
      db: { type: 'string', default: 'sqlite' },
      'no-build': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const only = values.only ? values.only.split(',').map((id) => id.trim()) : SCENARIOS.map((s) => s.id);
  const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`Unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.id).join(', ')}.`);
  const db = values.db.trim().toLowerCase();
  if (db !== 'sqlite' && db !== 'postgres') throw new Error(`--db must be sqlite or postgres (got "${values.db}").`);
  return {
    posts: count('posts', values.posts, 50),
    comments: count('comments', values.comments, 0),
    duration: count('duration', values.duration, 1),
    warmup: count('warmup', values.warmup, 0),
    connections: count('connections', values.connections, 1),
    only,
    soak: values.soak,
    soakSeconds: seconds(values['soak-duration']),
    port: count('port', values.port, 1024),
    workers: count('workers', values.workers, 1),
    db,
    build: !values['no-build'],
    keep: values.keep,
    distDir: process.env.NEXT_DIST_DIR || '.next-bench',
  };
}
