// @ts-check
/*
 * Quire's HTTP server: Next's request handler behind server/edge.mjs, which gives the app the real
 * client address (Next's own `next start` passes on whatever X-Forwarded-For a client sends), adds
 * the security headers to every response and refuses what Next would answer with a bare 500.
 *
 *   node server/index.mjs [--dev] [-H host] [-p port]
 *
 * With WORKERS=N (N > 1) this process is the primary of N such servers on the same port
 * (server/workers.mjs); with WORKERS=1, the default, there is no cluster at all.
 *
 * Shutdown is `next start`'s: on SIGTERM or SIGINT stop accepting connections, let every open one
 * finish, exit with 128 + the signal's number; lib/ops/graceful-shutdown.ts adds the drain deadline and
 * closes the database.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import next from 'next';
import { releaseAbortReasonFrames } from './abort-reasons.mjs';
import { getEnv, serverAddress } from '../lib/env.js';
import { createEdge } from './edge.mjs';
import { superviseWorkers } from './workers.mjs';

// Before Next renders anything: without it every page render that missed the cache leaked its payload.
releaseAbortReasonFrames();

const { values: args } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    hostname: { type: 'string', short: 'H' },
    port: { type: 'string', short: 'p' },
  },
});

const dev = args.dev ?? false;
// -H and -p stand for HOSTNAME and PORT: for this process, the app it runs and its workers alike
// (without SITE_URL, links, feeds and the start-up messages name the address the server listens on).
if (args.hostname !== undefined) process.env.HOSTNAME = args.hostname;
if (args.port !== undefined) process.env.PORT = args.port;
if (!dev) /** @type {Record<string, string>} */ (process.env).NODE_ENV = 'production';
// Tells instrumentation.ts that requests come through the edge, so the client address header is ours.
process.env.QUIRE_SERVER = '1';

/** @type {import('../lib/env.js').Env} */
let env;
try {
  env = getEnv();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const { hostname, port, url: listening } = serverAddress();
const trust = env.TRUST_PROXY;
// The development server (hot reload) is always one process.
const workers = dev ? 1 : env.WORKERS;
const https = env.SITE_URL.startsWith('https:');
const site = env.SITE_URL === listening ? '' : `, serving ${env.SITE_URL}`;
const database = env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `SQLite at ${env.DATABASE_PATH}`;
const started = Date.now();

if (cluster.isPrimary && workers > 1) {
  await superviseWorkers({
    count: workers,
    onReady: () =>
      console.log(
        `Quire: listening on ${listening}${site} (production, ${workers} workers) with ${database}. Ready in ${Date.now() - started} ms.`,
      ),
  });
} else {
  await serve();
}

async function serve() {
  const server = createServer();

  // Installed before Next loads, so lib/ops/graceful-shutdown.ts (run from instrumentation.ts) sees them.
  if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
    for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
      process.once(signal, () => {
        const code = 128 + constants.signals[signal];
        if (!server.listening) process.exit(code);
        server.close(() => app.close().finally(() => process.exit(code)));
      });
    }
  }

  const app = next({ dev, hostname, port, httpServer: server });
  await app.prepare();
  const handle = app.getRequestHandler();
  const listener = createEdge({ trust, https, dev, handle: (request, response) => handle(request, response) });
  server.on('request', listener);
  if (dev) server.on('upgrade', app.getUpgradeHandler());
  // Start-up work and configuration errors come before the server listens, not on a reader's first request.
  if (!dev) await warmUp(listener);

  server.once('error', (error) => {
    console.error(`Quire: cannot listen on ${hostname}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, hostname, () => {
    // A worker's readiness is announced by the primary, once all of them listen.
    if (cluster.isWorker) return;
    console.log(
      `Quire: listening on ${listening}${site} (${dev ? 'development' : 'production'}) with ${database}. Ready in ${Date.now() - started} ms.`,
    );
  });
}

/**
 * Next runs instrumentation.ts (configuration checks, migrations, demo content, ...) on a server's
 * first request. The server sends itself that request on a port of its own before it listens on
 * the real one: a bad configuration stops start-up instead of answering 500s, and with WORKERS=N
 * the primary starts the next worker only once this one's start-up work is done.
 * @param {import('node:http').RequestListener} listener
 */
async function warmUp(listener) {
  const local = createServer(listener);
  // exclusive: the worker listens by itself; the primary never sees this port or counts it as listening.
  await new Promise((resolve, reject) =>
    local.once('error', reject).listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(undefined)),
  );
  try {
    const { port: localPort } = /** @type {import('node:net').AddressInfo} */ (local.address());
    const response = await fetch(`http://127.0.0.1:${localPort}/api/health`);
    await response.arrayBuffer();
    if (response.status !== 200) {
      const who = cluster.isWorker ? `worker ${process.env.QUIRE_WORKER_ID}` : 'the server';
      console.error(`Quire: ${who} cannot serve: GET /api/health answered ${response.status}.`);
      process.exit(1);
    }
  } finally {
    local.close();
    local.closeAllConnections();
  }
}
