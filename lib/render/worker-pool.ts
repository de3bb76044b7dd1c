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
 *
 * Tasks wait in two lanes. A task without a key (the blog's own work: an author's save or preview)
 * waits in the first, and goes before any task in the second. A task with a key (a reader's comment,
 * keyed by the reader's address) waits in the second, where keys take turns, one task each a round,
 * and each key may have only `maxQueuePerKey` tasks waiting: so one reader, or one address sending
 * many, cannot fill the queue or make the others wait behind it, and no reader ever makes the author
 * wait for more than the tasks already running. Turns rather than weights or measured usage: every
 * task is bounded in time already, and a turn each is simple to reason about and to test.
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
  /** Tasks that may wait for a free worker, in each lane (see above); more are refused at once. */
  maxQueue: number;
  /** Tasks of one key that may wait for a free worker; more are refused at once (default: maxQueue). */
  maxQueuePerKey?: number;
  /** How long a task may wait for a free worker before it is refused. */
  maxWaitMs: number;
  /** How long a new worker may take to load before it is given up. */
  bootLimitMs?: number;
  /**
   * Beyond the first, a worker starts only for a task that waits while every worker has run its task
   * this long (a slow input: CPU time where the system tells it, see threadCpuMs), and stops after
   * `spareIdleMs` without work: each worker is a V8 instance of its own, tens of megabytes of memory.
   */
  spareAfterMs?: number;
  /** ...or as soon as this many tasks wait (a burst one worker would make wait too long). */
  spareQueue?: number;
  spareIdleMs?: number;
  /**
   * How many tasks a worker is given at once (default 1); it runs them one after another. More than
   * one keeps it working while this thread, busy with other requests, has not yet read its last
   * answer and handed out the next task. The tasks behind one that has run spareAfterMs are taken
   * back, to wait for another worker.
   */
  pipeline?: number;
}

type Reply<Out> =
  | { ready: true; cpuClock?: string }
  | { id: number; output: Out; cpuMs?: number }
  | { id: number; error: { name: string; message: string; stack?: string }; cpuMs?: number };

interface Task<In, Out> {
  id: number;
  input: In;
  /** Whose turn it waits for in the readers' lane; none: the first lane. */
  key?: string;
  limitMs: number;
  resolve: (output: Out) => void;
  reject: (error: Error) => void;
  /** While it waits for a worker: refuses it after maxWaitMs. */
  timer?: ReturnType<typeof setTimeout>;
}

/** A task given to a worker; `task` is gone once it was taken back (the worker still runs it, its answer is dropped). */
interface Given<In, Out> {
  id: number;
  limitMs: number;
  task?: Task<In, Out>;
}

interface Slot<In, Out> {
  worker: Worker;
  ready: boolean;
  /** The file that gives the worker thread's CPU time, when there is one. */
  cpuClock?: string;
  /** The tasks the worker has been given, in the order it runs them: the first one is running. */
  given: Given<In, Out>[];
  /** When the running task started: wall-clock, and the worker thread's CPU time where known. */
  startedAt: number;
  cpuAtStart?: number;
  /** The running task has run for spareAfterMs (CPU time, where the system tells it). */
  stuck: boolean;
  /** Watches the running task's time (see watch). */
  timer?: ReturnType<typeof setTimeout>;
  bootTimer?: ReturnType<typeof setTimeout>;
  idleTimer?: ReturnType<typeof setTimeout>;
}

export class WorkerPool<In, Out> {
  private readonly slots = new Set<Slot<In, Out>>();
  /** The first lane: tasks without a key, in order. */
  private readonly first: Task<In, Out>[] = [];
  /** The readers' lane: each key's tasks in order, the keys in the order of their turns (a Map keeps insertion order). */
  private readonly turns = new Map<string, Task<In, Out>[]>();
  /** Tasks waiting in the readers' lane. */
  private keyed = 0;
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  /**
   * Runs `input` in a worker, in the first lane or, with a `key`, in the readers' lane at that key's
   * turn; rejects with WorkerLimitError past `limitMs` of work, WorkerPoolBusyError when overloaded.
   */
  run(input: In, limitMs: number, key?: string): Promise<Out> {
    if (this.closed) return Promise.reject(new Error('The worker pool is closed.'));
    const full =
      key === undefined
        ? this.first.length >= this.options.maxQueue
        : this.keyed >= this.options.maxQueue || (this.turns.get(key)?.length ?? 0) >= (this.options.maxQueuePerKey ?? Infinity);
    if (full) return Promise.reject(new WorkerPoolBusyError());
    return new Promise<Out>((resolve, reject) => {
      const task: Task<In, Out> = { id: this.nextId++, input, key, limitMs, resolve, reject };
      this.enqueue([task]);
      this.pump();
    });
  }

  /** Refuses what waits and terminates every worker (the tasks they run are rejected). */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.dequeueAll()) this.settle(task, new Error('The worker pool was closed.'));
    await Promise.all([...this.slots].map((slot) => this.retire(slot, new Error('The worker pool was closed.'))));
  }

  /** Workers started and not yet stopped (for tests). */
  get workerCount(): number {
    return this.slots.size;
  }

  /** Tasks waiting for a worker, in both lanes. */
  private get waiting(): number {
    return this.first.length + this.keyed;
  }

  /**
   * Tasks wait for a worker in their lane: new ones at the end, ones taken back from a worker at the
   * front (their turn came already), in the order given.
   */
  private enqueue(tasks: Task<In, Out>[], front = false): void {
    for (const task of tasks) {
      // While it waits, this timer also keeps the process alive for the answer.
      task.timer = setTimeout(() => {
        this.remove(task);
        task.reject(new WorkerPoolBusyError());
      }, this.options.maxWaitMs);
    }
    for (const task of front ? [...tasks].reverse() : tasks) {
      if (task.key === undefined) {
        if (front) this.first.unshift(task);
        else this.first.push(task);
        continue;
      }
      this.keyed++;
      const own = this.turns.get(task.key);
      if (!front) {
        if (own) own.push(task);
        else this.turns.set(task.key, [task]);
        continue;
      }
      // Its key's turn comes first again.
      const others = [...this.turns].filter(([key]) => key !== task.key);
      this.turns.clear();
      this.turns.set(task.key, [task, ...(own ?? [])]);
      for (const [key, queued] of others) this.turns.set(key, queued);
    }
  }

  /**
   * The next task to give `slot`: the first lane's, else the task of the key whose turn it is (its
   * next turn at the end of the round). A worker holds one task of a key at most: the tasks a worker
   * is given at once (pipeline) run one after another, and three slow ones from one key would make
   * the turns of the keys behind them wait anyway.
   */
  private dequeue(slot: Slot<In, Out>): Task<In, Out> | undefined {
    if (this.first.length > 0) return this.first.shift();
    const held = new Set(slot.given.map((given) => given.task?.key));
    for (const [key, queued] of this.turns) {
      if (held.has(key)) continue;
      this.turns.delete(key);
      const task = queued.shift()!;
      if (queued.length > 0) this.turns.set(key, queued);
      this.keyed--;
      return task;
    }
    return undefined;
  }

  /** Every waiting task, out of the queue. */
  private dequeueAll(): Task<In, Out>[] {
    const tasks = [...this.first.splice(0), ...[...this.turns.values()].flat()];
    this.turns.clear();
    this.keyed = 0;
    return tasks;
  }

  /** A task that waited too long leaves its lane. */
  private remove(task: Task<In, Out>): void {
    const queued = task.key === undefined ? this.first : this.turns.get(task.key);
    const at = queued?.indexOf(task) ?? -1;
    if (!queued || at < 0) return;
    queued.splice(at, 1);
    if (task.key === undefined) return;
    this.keyed--;
    if (queued.length === 0) this.turns.delete(task.key);
  }

  private pump(): void {
    const pipeline = this.options.pipeline ?? 1;
    for (let dispatched = true; dispatched && this.waiting > 0;) {
      // The worker with the fewest tasks that has room for one waiting, never one whose task runs long.
      const free = [...this.slots]
        .filter((slot) => slot.ready && !slot.stuck && slot.given.length < pipeline)
        .sort((a, b) => a.given.length - b.given.length);
      dispatched = false;
      for (const slot of free) {
        const task = this.dequeue(slot);
        if (!task) continue;
        this.dispatch(slot, task);
        dispatched = true;
        break;
      }
    }
    const waiting = this.waiting;
    if (waiting === 0) return;
    const booting = [...this.slots].filter((slot) => !slot.ready).length;
    const spareNeeded = this.allStuck() || waiting >= (this.options.spareQueue ?? Infinity);
    const wanted = this.options.spareAfterMs === undefined ? waiting : this.slots.size === 0 || spareNeeded ? 1 : 0;
    for (let n = booting; n < wanted && this.slots.size < this.options.size; n++) this.start();
  }

  /** Every worker has run its task for spareAfterMs or longer. */
  private allStuck(): boolean {
    return [...this.slots].every((slot) => slot.ready && slot.stuck);
  }

  /** A worker beyond the first that has nothing to do stops after a while. */
  private idle(slot: Slot<In, Out>): void {
    clearTimeout(slot.idleTimer);
    if (this.options.spareIdleMs === undefined || this.slots.size <= 1) return;
    slot.idleTimer = setTimeout(() => {
      if (slot.given.length > 0 || this.slots.size <= 1 || !this.slots.delete(slot)) return;
      void slot.worker.terminate();
    }, this.options.spareIdleMs);
    slot.idleTimer.unref();
  }

  private dispatch(slot: Slot<In, Out>, task: Task<In, Out>): void {
    clearTimeout(task.timer);
    clearTimeout(slot.idleTimer);
    slot.given.push({ id: task.id, limitMs: task.limitMs, task });
    if (slot.given.length === 1) this.started(slot, threadCpuMs(slot.cpuClock));
    slot.worker.postMessage({ id: task.id, input: task.input });
  }

  /** The worker's first task has started (its CPU clock read then, where known); its time is watched from now. */
  private started(slot: Slot<In, Out>, cpuMs: number | undefined): void {
    slot.startedAt = performance.now();
    slot.cpuAtStart = cpuMs;
    slot.stuck = false;
    this.watch(slot);
  }

  /**
   * Checks the running task's time, and again when its next mark is due: at spareAfterMs of running
   * it is a slow input (the tasks behind it are taken back, and one waiting may get a worker of its
   * own, see pump); not when it only waited for a core, since on a busy machine another thread would
   * only wait too. At its limit the worker is stopped and replaced.
   */
  private watch(slot: Slot<In, Out>): void {
    clearTimeout(slot.timer);
    const running = slot.given[0];
    if (!running) {
      slot.stuck = false;
      return;
    }
    const wallMs = performance.now() - slot.startedAt;
    const cpuNow = threadCpuMs(slot.cpuClock);
    const usedMs = slot.cpuAtStart === undefined || cpuNow === undefined ? wallMs : cpuNow - slot.cpuAtStart;
    const wallLimitMs = slot.cpuAtStart === undefined ? running.limitMs : running.limitMs * WALL_LIMIT_FACTOR;
    const leftMs = Math.min(running.limitMs - usedMs, wallLimitMs - wallMs);
    if (leftMs <= 0) {
      // After the poll phase: an answer that came while this thread was busy elsewhere is taken first.
      setImmediate(() => {
        if (slot.given[0] === running) void this.retire(slot, new WorkerLimitError('time'));
      });
      return;
    }
    const spareAfterMs = this.options.spareAfterMs;
    let nextMs = leftMs;
    if (spareAfterMs !== undefined && !slot.stuck) {
      if (usedMs >= spareAfterMs) {
        slot.stuck = true;
        this.enqueue(this.takeBack(slot), true);
        this.pump();
      } else {
        nextMs = Math.min(nextMs, spareAfterMs - usedMs);
      }
    }
    slot.timer = setTimeout(() => this.watch(slot), Math.max(nextMs, RECHECK_MS));
  }

  /** The tasks given to a worker behind its running one, taken back (the worker's answers to them will be dropped). */
  private takeBack(slot: Slot<In, Out>): Task<In, Out>[] {
    const tasks: Task<In, Out>[] = [];
    for (const given of slot.given.slice(1)) {
      if (given.task) tasks.push(given.task);
      given.task = undefined;
    }
    return tasks;
  }

  private start(): void {
    const worker = this.options.spawn();
    const slot: Slot<In, Out> = { worker, ready: false, given: [], startedAt: 0, stuck: false };
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
      } else if (slot.given[0]?.id === reply.id) {
        const { task } = slot.given.shift()!;
        // The next task started when the worker sent this answer.
        if (slot.given.length > 0) this.started(slot, reply.cpuMs ?? threadCpuMs(slot.cpuClock));
        else this.watch(slot);
        // A task taken back has no one to answer here any more.
        if (task) {
          if ('error' in reply) this.settle(task, Object.assign(new Error(reply.error.message), reply.error));
          else this.settle(task, undefined, reply.output);
        }
      }
      this.pump();
      if (slot.ready && slot.given.length === 0) this.idle(slot);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      void this.retire(slot, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkerLimitError('memory') : error);
    });
    worker.on('exit', (code) => void this.retire(slot, new Error(`A worker stopped unexpectedly (exit code ${code}).`)));
    // Pending tasks' timers keep the process alive; an idle worker must not. (After the listeners:
    // adding a 'message' listener refs the worker's port again.)
    worker.unref();
  }

  /**
   * Stops a worker: its running task, if any, fails with `reason`, and the tasks behind it wait for
   * another worker; a worker that never started fails the queue with it.
   */
  private retire(slot: Slot<In, Out>, reason: Error): Promise<unknown> {
    if (!this.slots.delete(slot)) return Promise.resolve();
    clearTimeout(slot.timer);
    clearTimeout(slot.bootTimer);
    clearTimeout(slot.idleTimer);
    const running = slot.given[0]?.task;
    const behind = this.takeBack(slot);
    slot.given = [];
    if (running) this.settle(running, reason);
    if (this.closed) for (const task of behind) this.settle(task, reason);
    else this.enqueue(behind, true);
    // A worker that cannot load is a broken build, not a busy pool: nobody waits for it in vain.
    if (!slot.ready && ![...this.slots].some((other) => other.ready)) {
      for (const task of this.dequeueAll()) this.settle(task, reason);
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
  const cpuClock = ownCpuClock();
  // Each answer says when the task ended in this thread's CPU time: the pool times the next one from there.
  port.on('message', ({ id, input }: { id: number; input: In }) => {
    try {
      const output = handle(input);
      port.postMessage({ id, output, cpuMs: threadCpuMs(cpuClock) });
    } catch (error) {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ id, error: { name, message, stack }, cpuMs: threadCpuMs(cpuClock) });
    }
  });
  port.postMessage({ ready: true, cpuClock });
}
