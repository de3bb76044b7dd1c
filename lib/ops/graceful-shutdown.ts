import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { constants } from 'node:os';

/** How long in-flight requests get after the signal before their connections are cut (within Kubernetes' default 30 s grace). */
export const DRAIN_DEADLINE_MS = 25_000;

type HttpMessage = { request: IncomingMessage; response: ServerResponse; server: Server };

/**
 * Builds on `next start`, which on SIGTERM or SIGINT stops accepting connections, waits until
 * every open one has closed and then exits with 128 + the signal's number. Added here:
 * - connections that are kept alive are closed as soon as their request is answered (Node
 *   would keep them open for the 5 s keep-alive timeout, and serve new requests on them);
 * - `onExit` runs when the process exits, after the last request, to close the database;
 * - a drained shutdown exits 0; one that had to cut connections after the deadline does not.
 * With NEXT_MANUAL_SIG_HANDLE set, Next installs no signal handlers and neither does this module
 * (a listener of its own would keep the signal from ending the process); `onExit` still runs.
 */
export function installGracefulShutdown({
  onExit,
  log = console.log,
  deadlineMs = DRAIN_DEADLINE_MS,
}: {
  onExit: () => void;
  log?: (line: string) => void;
  deadlineMs?: number;
}): void {
  const servers = new Set<Server>();
  const inFlight = new Set<ServerResponse>();
  let signal: NodeJS.Signals | undefined;
  let cut = false;

  const closeIdleConnections = () => servers.forEach((server) => server.closeIdleConnections());

  // Node's HTTP diagnostics channels see every request of this process's server without wrapping it.
  diagnostics.subscribe('http.server.request.start', (message) => {
    const { response, server } = message as HttpMessage;
    servers.add(server);
    inFlight.add(response);
    // 'close' also comes when the client goes away before the answer.
    response.once('close', () => inFlight.delete(response));
    if (signal) response.setHeader('Connection', 'close');
  });
  diagnostics.subscribe('http.server.response.finish', (message) => {
    // Also sees the first requests, which can start before this module is installed.
    servers.add((message as HttpMessage).server);
    if (signal) setImmediate(closeIdleConnections);
  });

  const drain = (received: NodeJS.Signals) => {
    if (signal) return;
    signal = received;
    log(`Quire: ${received} received; finishing ${inFlight.size} request(s) in flight, then closing the database.`);
    for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    closeIdleConnections();
    setTimeout(() => {
      cut = true;
      log(`Quire: ${inFlight.size} request(s) still open after ${deadlineMs / 1000} s; closing their connections.`);
      servers.forEach((server) => server.closeAllConnections());
    }, deadlineMs).unref();
  };
  for (const name of ['SIGTERM', 'SIGINT'] as const) if (process.listenerCount(name) > 0) process.on(name, drain);

  process.once('exit', (code) => {
    onExit();
    if (signal && !cut && code === 128 + constants.signals[signal]) process.exitCode = 0;
  });
}
