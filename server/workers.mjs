// @ts-check
/*
 * WORKERS=N: N server processes on one port with Node's cluster module. The primary runs no Next
 * server; it forks the workers (each runs server/index.mjs as with one process), hands them the
 * connections, replaces a worker that dies, forwards SIGTERM and SIGINT, and replaces every worker
 * one at a time on SIGHUP.
 *
 * Workers start one at a time: the next is forked once the previous one listens. So the start-up
 * work in instrumentation.ts (migrations, demo content for a new database, the search backfill,
 * re-rendering) runs to the end in one worker, and the next finds nothing left to do; the same
 * holds when a new version is rolled out with SIGHUP while the old workers serve.
 */
import cluster from 'node:cluster';
import os from 'node:os';

/** Restart delays after a worker dies: doubling from 100 ms with each death in the last minute, up to 30 s. */
export function restartDelayMs(/** @type {number} */ recentDeaths) {
  return Math.min(100 * 2 ** Math.max(0, recentDeaths - 1), 30_000);
}

/**
 * Runs the primary: starts `count` workers, then supervises them.
 * @param {{ count: number, onReady: () => void, log?: (line: string) => void }} options
 */
export async function superviseWorkers({ count, onReady, log = console.log }) {
  /** @typedef {import('node:cluster').Worker} Worker */
  /** Workers that serve or are starting; `id` is what instrumentation.ts is told. */
  const workers = new Map(/** @type {[Worker, { id: number, ready: boolean, retiring: boolean }][]} */ ([]));
  const serving = () => [...workers.values()].filter((state) => !state.retiring).length;
  let lastId = 0;
  let started = false;
  /** @type {NodeJS.Signals | undefined} */
  let stopping;
  /** @type {number | undefined} */
  let failedCode;
  const exitCodes = /** @type {(number | null)[]} */ ([]);
  let deaths = /** @type {number[]} */ ([]);
  const timers = new Set(/** @type {NodeJS.Timeout[]} */ ([]));
  let rolling = false;

  /** Forks one worker; settles when it listens, or fails when it exits first. Starts never overlap. */
  let queue = Promise.resolve();
  const start = () => {
    const next = queue.then(
      () =>
        new Promise((resolve, reject) => {
          if (stopping) return reject(new Error('the server is stopping'));
          const id = ++lastId;
          // instrumentation.ts prints the setup token in the first worker only.
          const worker = cluster.fork({ QUIRE_WORKER_ID: String(id) });
          const state = { id, ready: false, retiring: false };
          workers.set(worker, state);
          worker.once('listening', () => {
            state.ready = true;
            log(`Quire: worker ${id} (pid ${worker.process.pid}) is ready.`);
            resolve(worker);
          });
          worker.once('exit', (code, signal) => reject(new Error(`worker ${id} exited before it was ready (${signal ?? `code ${code}`})`)));
        }),
    );
    queue = next.then(
      () => undefined,
      () => undefined,
    );
    return /** @type {Promise<Worker>} */ (next);
  };

  const stop = (/** @type {NodeJS.Signals} */ signal) => {
    stopping ??= signal;
    timers.forEach(clearTimeout);
    if (workers.size === 0) process.exit(failedCode ?? 128 + os.constants.signals[stopping]);
    // Each worker drains its requests as a single process does (lib/ops/graceful-shutdown.ts).
    for (const worker of workers.keys()) worker.process.kill(signal);
  };

  cluster.on('exit', (worker, code, signal) => {
    const state = workers.get(worker);
    workers.delete(worker);
    if (stopping) {
      exitCodes.push(code);
      // Like one process: 0 when every worker drained in time, 128 + the signal's number otherwise.
      if (workers.size === 0) process.exit(failedCode ?? (exitCodes.every((c) => c === 0) ? 0 : 128 + os.constants.signals[stopping]));
      return;
    }
    // Retired by a rolling restart, or failed during start-up (which stops the server below).
    if (!state || state.retiring || (!state.ready && !started)) return;
    const now = Date.now();
    deaths = [...deaths.filter((at) => now - at < 60_000), now];
    const delay = restartDelayMs(deaths.length);
    log(`Quire: worker ${state.id} (pid ${worker.process.pid}) ended (${signal ?? `code ${code}`}); starting another in ${delay} ms.`);
    const timer = setTimeout(() => {
      timers.delete(timer);
      // A replacement that dies before it is ready comes back here, with a longer delay.
      if (serving() < count) start().catch(() => undefined);
    }, delay);
    timers.add(timer);
  });

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    if (rolling || stopping || !started) return;
    rolling = true;
    void rollingRestart().finally(() => (rolling = false));
  });

  /** Replaces the workers one by one; each new one listens before the old one is told to drain, so no request goes unanswered. */
  async function rollingRestart() {
    const old = [...workers].filter(([, state]) => !state.retiring);
    log(`Quire: SIGHUP received; replacing ${old.length} workers one at a time.`);
    for (const [worker, state] of old) {
      try {
        await start();
      } catch (error) {
        log(`Quire: rolling restart stopped, the running workers stay: ${error instanceof Error ? error.message : error}.`);
        return;
      }
      if (!workers.has(worker)) continue;
      state.retiring = true;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.process.kill('SIGTERM');
      await exited;
    }
    log('Quire: rolling restart done.');
  }

  for (let n = 0; n < count; n++) {
    try {
      await start();
    } catch (error) {
      // A worker that cannot start (bad configuration, port taken) would fail again: stop.
      console.error(`Quire: ${error instanceof Error ? error.message : error}; stopping.`);
      failedCode = 1;
      stop('SIGTERM');
      return;
    }
  }
  started = true;
  onReady();
}
