import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { constants } from 'node:os';

/** How long in-flight requests get after the signal before their connections are cut (within Kubernetes' default 30 s grace). */
export const DRAIN_DEADLINE_MS = 25_000;

/** How long the exit waits for `onExit` (closing the database) before it goes ahead anyway. */
const CLOSE_DEADLINE_MS = 3_000;

type HttpMessage = { request: IncomingMessage; response: ServerResponse; server: Server };

/**
 * Builds on `next start`, which on SIGTERM or SIGINT stops accepting connections, waits until
 * every open one has closed and then exits with 128 + the signal's number. Added here:
 * - connections that are kept alive are closed as soon as their request is answered (Node
 *   would keep them open for the 5 s keep-alive timeout, and serve new requests on them);
 * - `onExit` runs after the last request, before the process exits, to close the database;
 * - a drained shutdown exits 0; one that had to cut connections after the deadline does not.
 * With NEXT_MANUAL_SIG_HANDLE set, Next installs no signal handlers and neither does this module
 * (a listener of its own would keep the signal from ending the process); `onExit` still starts at
 * the exit, though only its synchronous part can run then.
 */
export function installGracefulShutdown({
  onExit,
  log = console.log,
  deadlineMs = DRAIN_DEADLINE_MS,
}: {
  onExit: () => void | Promise<void>;
  log?: (line: string) => void;
  deadlineMs?: number;
}): void {
  const servers = new Set<Server>();
  const inFlight = new Set<ServerResponse>();
  let signal: NodeJS.Signals | undefined;
  let cut = false;

  const closeIdleConnections = () => servers.forEach((server) => server.closeIdleConnections());

  let closing: Promise<void> | undefined;
  /** Runs onExit once; its synchronous part runs at once, even from the 'exit' event. */
  const close = () =>
    (closing ??= (async () => {
      try {
        await onExit();
      } catch (error) {
        log(`Quire: closing the database failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    })());

  /**
   * The signal's handler (Next's, or server/index.mjs's) ends in process.exit(), after which no
   * promise settles: that exit is held until onExit has finished (or CLOSE_DEADLINE_MS has passed).
   */
  const holdExitForClose = () => {
    const exit = process.exit.bind(process);
    process.exit = ((code?: number | string | null) => {
      // Should the event loop run dry first, the process still ends with this code.
      if (code != null) process.exitCode = code;
      setTimeout(() => exit(code), CLOSE_DEADLINE_MS).unref();
      void close().finally(() => exit(code));
    }) as typeof process.exit;
  };

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
    holdExitForClose();
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
    void close();
    if (signal && !cut && code === 128 + constants.signals[signal]) process.exitCode = 0;
  });
}
