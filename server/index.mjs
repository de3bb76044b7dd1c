// @ts-check
/*
 * Quire's HTTP server: Next's request handler behind server/edge.mjs, which gives the app the real
 * client address (Next's own `next start` passes on whatever X-Forwarded-For a client sends), adds
 * the security headers to every response and refuses what Next would answer with a bare 500.
 *
 *   node server/index.mjs [--dev] [-H host] [-p port]
 *
 * Shutdown is `next start`'s: on SIGTERM or SIGINT stop accepting connections, let every open one
 * finish, exit with 128 + the signal's number; lib/ops/graceful-shutdown.ts adds the drain deadline and
 * closes the database.
 */
import { createServer } from 'node:http';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import next from 'next';
import { createEdge, parseTrustProxy } from './edge.mjs';

const { values: args } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    hostname: { type: 'string', short: 'H' },
    port: { type: 'string', short: 'p' },
  },
});

const dev = args.dev ?? false;
const hostname = args.hostname ?? process.env.HOSTNAME ?? '0.0.0.0';
const port = Number(args.port ?? process.env.PORT ?? 3000);
if (!dev) /** @type {Record<string, string>} */ (process.env).NODE_ENV = 'production';
// Tells instrumentation.ts that requests come through the edge, so the client address header is ours.
process.env.QUIRE_SERVER = '1';
const listening = `http://${hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname}:${port}`;
// Without SITE_URL, links, feeds and the start-up messages name the address this server listens on.
if (!process.env.SITE_URL) process.env.SITE_URL = listening;

let trust;
try {
  trust = parseTrustProxy(process.env.TRUST_PROXY);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const https = (process.env.SITE_URL ?? '').startsWith('https:');

const started = Date.now();
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
server.on('request', createEdge({ trust, https, dev, handle: (request, response) => handle(request, response) }));
if (dev) server.on('upgrade', app.getUpgradeHandler());

server.once('error', (error) => {
  console.error(`Quire: cannot listen on ${hostname}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  const site = process.env.SITE_URL === listening ? '' : `, serving ${process.env.SITE_URL}`;
  console.log(`Quire: listening on ${listening}${site} (${dev ? 'development' : 'production'}). Ready in ${Date.now() - started} ms.`);
});
