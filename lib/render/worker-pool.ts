import { readFileSync, readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Worker, parentPort } from 'node:worker_threads';

/*
 * A small pool of worker threads for CPU work whose cost the input decides (lib/render/markdown.ts): each
 * task runs with a time limit, and a worker still busy at its limit is terminated and replaced,
 * so no input can hold the main thread or a worker for longer. Workers start on first use (one
 * stopped at its limit is replaced at once), and never keep the process alive by themselves: a
 * pending task's timer does.
 *
 * The limit counts the CPU time the worker's thread spends on the task, where the system tells it
 * (Linux: the thread's /proc schedstat), and wall-clock time elsewhere. Wall-clock time also counts
 * the time a worker waits for a core on a saturated machine, and the time this thread, busy with
 * other requests, takes to read an answer that came in time: under load an ordinary comment was
 * refused as too slow to format. A task is still stopped after WALL_LIMIT_FACTOR times its limit
 * of wall-clock time, however little it ran.
 */

/** How many times its limit a task may take in wall-clock time when its CPU time is counted. */
export const WALL_LIMIT_FACTOR = 2;
/** The thread's CPU time is read when the limit would be reached, and again no sooner than this. */
const RECHECK_MS = 10;

/** The task ran past its time limit, or past the worker's memory limit; the worker was replaced. */
export class WorkerLimitError extends Error {
  constructor(readonly limit: 'time' | 'memory') {
    super(limit === 'time' ? 'The task ran past its time limit.' : 'The task ran out of memory.');
    this.name = 'WorkerLimitError';
  }
}

/** Too many tasks wait already, or this one waited too long for a free worker. */
export class WorkerPoolBusyError extends Error {
  constructor() {
    super('Every worker stayed busy; the task was not run.');
    this.name = 'WorkerPoolBusyError';
  }
}

/**
 * By name, not instanceof: the pool is shared through globalThis (lib/render/markdown.ts), so it may come
 * from another copy of this module in another bundle than the caller's.
 */
export const isWorkerLimitError = (error: unknown): error is WorkerLimitError =>
  error instanceof Error && error.name === 'WorkerLimitError';
export const isWorkerPoolBusyError = (error: unknown): error is WorkerPoolBusyError =>
  error instanceof Error && error.name === 'WorkerPoolBusyError';

export interface WorkerPoolOptions {
  /** Starts one worker (its entry calls `serveWorkerTasks`). */
  spawn: () => Worker;
  size: number;
  /** Tasks that may wait for a free worker; more are refused at once. */
  maxQueue: number;
  /** How long a task may wait for a free worker before it is refused. */
  maxWaitMs: number;
  /** How long a new worker may take to load before it is given up. */
  bootLimitMs?: number;
  /**
   * Beyond the first, a worker starts only for a task that waits while every worker has been on its
   * task this long (a slow input), and stops after `spareIdleMs` without work: each worker is a V8
   * instance of its own, tens of megabytes of memory.
   */
  spareAfterMs?: number;
  /** ...or as soon as this many tasks wait (a burst one worker would make wait too long). */
  spareQueue?: number;
  spareIdleMs?: number;
}

type Reply<Out> =
  | { ready: true; cpuClock?: string }
  | { id: number; output: Out }
  | { id: number; error: { name: string; message: string; stack?: string } };

interface Task<In, Out> {
  id: number;
  input: In;
  limitMs: number;
  resolve: (output: Out) => void;
  reject: (error: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

interface Slot<In, Out> {
  worker: Worker;
  ready: boolean;
  /** The file that gives the worker thread's CPU time, when there is one. */
  cpuClock?: string;
  task?: Task<In, Out>;
  /** The current task has run for spareAfterMs. */
  stuck?: boolean;
  bootTimer?: ReturnType<typeof setTimeout>;
  idleTimer?: ReturnType<typeof setTimeout>;
}

export class WorkerPool<In, Out> {
  private readonly slots = new Set<Slot<In, Out>>();
  private readonly queue: Task<In, Out>[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /** Runs `input` in a worker; rejects with WorkerLimitError past `limitMs` of work, WorkerPoolBusyError when overloaded. */
  run(input: In, limitMs: number): Promise<Out> {
    if (this.closed) return Promise.reject(new Error('The worker pool is closed.'));
    if (this.queue.length >= this.options.maxQueue) return Promise.reject(new WorkerPoolBusyError());
    return new Promise<Out>((resolve, reject) => {
      const task: Task<In, Out> = { id: this.nextId++, input, limitMs, resolve, reject };
      // While it waits, this timer also keeps the process alive for the answer.
      task.timer = setTimeout(() => {
        const at = this.queue.indexOf(task);
        if (at >= 0) this.queue.splice(at, 1);
        reject(new WorkerPoolBusyError());
      }, this.options.maxWaitMs);
      this.queue.push(task);
      this.pump();
    });
  }

  /** Refuses what waits and terminates every worker (the tasks they run are rejected). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) this.settle(task, new Error('The worker pool was closed.'));
    await Promise.all([...this.slots].map((slot) => this.retire(slot, new Error('The worker pool was closed.'))));
  }

  /** Workers started and not yet stopped (for tests). */
  get workerCount(): number {
    return this.slots.size;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.ready && !slot.task) this.dispatch(slot, this.queue.shift()!);
    }
    if (this.queue.length === 0) return;
    const booting = [...this.slots].filter((slot) => !slot.ready).length;
    const spareNeeded = this.allStuck() || this.queue.length >= (this.options.spareQueue ?? Infinity);
    const wanted = this.options.spareAfterMs === undefined ? this.queue.length : this.slots.size === 0 || spareNeeded ? 1 : 0;
    for (let n = booting; n < wanted && this.slots.size < this.options.size; n++) this.start();
  }

  /** Every worker has been on its task for spareAfterMs or longer. */
  private allStuck(): boolean {
    return [...this.slots].every((slot) => slot.ready && slot.task && slot.stuck);
  }

  /** A worker beyond the first that has nothing to do stops after a while. */
  private idle(slot: Slot<In, Out>): void {
    clearTimeout(slot.idleTimer);
    if (this.options.spareIdleMs === undefined || this.slots.size <= 1) return;
    slot.idleTimer = setTimeout(() => {
      if (slot.task || this.slots.size <= 1 || !this.slots.delete(slot)) return;
      void slot.worker.terminate();
    }, this.options.spareIdleMs);
    slot.idleTimer.unref();
  }

  private dispatch(slot: Slot<In, Out>, task: Task<In, Out>): void {
    clearTimeout(task.timer);
    clearTimeout(slot.idleTimer);
    slot.task = task;
    const started = performance.now();
    slot.stuck = false;
    // Past spareAfterMs a waiting task may get a worker of its own (see pump).
    if (this.options.spareAfterMs !== undefined && this.slots.size < this.options.size) {
      setTimeout(() => {
        if (slot.task !== task) return;
        slot.stuck = true;
        this.pump();
      }, this.options.spareAfterMs).unref();
    }
    const cpuAtStart = threadCpuMs(slot.cpuClock);
    const wallLimitMs = cpuAtStart === undefined ? task.limitMs : task.limitMs * WALL_LIMIT_FACTOR;
    const check = () => {
      const wallMs = performance.now() - started;
      const cpuNow = threadCpuMs(slot.cpuClock);
      const usedMs = cpuAtStart === undefined || cpuNow === undefined ? wallMs : cpuNow - cpuAtStart;
      const leftMs = Math.min(task.limitMs - usedMs, wallLimitMs - wallMs);
      if (leftMs > 0) {
        task.timer = setTimeout(check, Math.max(leftMs, RECHECK_MS));
        return;
      }
      // After the poll phase: an answer that came while this thread was busy elsewhere is taken first.
      setImmediate(() => {
        if (slot.task === task) void this.retire(slot, new WorkerLimitError('time'));
      });
    };
    task.timer = setTimeout(check, task.limitMs);
    slot.worker.postMessage({ id: task.id, input: task.input });
  }

  private start(): void {
    const worker = this.options.spawn();
    const slot: Slot<In, Out> = { worker, ready: false };
    this.slots.add(slot);
    slot.bootTimer = setTimeout(
      () => void this.retire(slot, new Error('A worker did not start in time.')),
      this.options.bootLimitMs ?? 30_000,
    );
    slot.bootTimer.unref();
    worker.on('message', (reply: Reply<Out>) => {
      if ('ready' in reply) {
        clearTimeout(slot.bootTimer);
        slot.ready = true;
        slot.cpuClock = reply.cpuClock;
      } else if (slot.task?.id === reply.id) {
        const task = slot.task;
        slot.task = undefined;
        if ('error' in reply) this.settle(task, Object.assign(new Error(reply.error.message), reply.error));
        else this.settle(task, undefined, reply.output);
      }
      this.pump();
      if (slot.ready && !slot.task) this.idle(slot);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      void this.retire(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkerLimitError('memory') : error);
    });
    worker.on('exit', (code) => void this.retire(slot, new Error(`A worker stopped unexpectedly (exit code ${code}).`)));
    // Pending tasks' timers keep the process alive; an idle worker must not. (After the listeners:
    // adding a 'message' listener refs the worker's port again.)
    worker.unref();
  }

  /** Stops a worker: its task, if any, fails with `reason`; a worker that never started fails the queue with it. */
  private retire(slot: Slot<In, Out>, reason: Error): Promise<unknown> {
    if (!this.slots.delete(slot)) return Promise.resolve();
    clearTimeout(slot.bootTimer);
    clearTimeout(slot.idleTimer);
    if (slot.task) this.settle(slot.task, reason);
    slot.task = undefined;
    // A worker that cannot load is a broken build, not a busy pool: nobody waits for it in vain.
    if (!slot.ready && ![...this.slots].some((other) => other.ready)) {
      for (const task of this.queue.splice(0)) this.settle(task, reason);
    }
    const stopped = slot.worker.terminate();
    if (this.closed) return stopped;
    // A worker that was working is replaced at once, so the next task does not wait for one to load.
    if (slot.ready) this.start();
    this.pump();
    return stopped;
  }

  private settle(task: Task<In, Out>, error: Error | undefined, output?: Out): void {
    clearTimeout(task.timer);
    if (error) task.reject(error);
    else task.resolve(output!);
  }
}

/** CPU time in milliseconds from a thread's schedstat file (nanoseconds first), or undefined when it cannot be read. */
function threadCpuMs(cpuClock: string | undefined): number | undefined {
  if (!cpuClock) return undefined;
  try {
    const ns = Number(readFileSync(cpuClock, 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** Where the calling thread's CPU time can be read by other threads (Linux), or undefined. */
function ownCpuClock(): string | undefined {
  try {
    const cpuClock = `/proc/${readlinkSync('/proc/thread-self')}/schedstat`;
    return threadCpuMs(cpuClock) === undefined ? undefined : cpuClock;
  } catch {
    return undefined;
  }
}

/** The worker's side: answers each task with `handle`'s result or error, after saying it is ready. */
export function serveWorkerTasks<In, Out>(handle: (input: In) => Out): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerTasks runs only inside a worker thread.');
  port.on('message', ({ id, input }: { id: number; input: In }) => {
    try {
      port.postMessage({ id, output: handle(input) });
    } catch (error) {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ id, error: { name, message, stack } });
    }
  });
  port.postMessage({ ready: true, cpuClock: ownCpuClock() });
}
