import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerLimitError, WorkerPool, type WorkerPoolOptions, WorkerPoolBusyError } from '@/lib/render/worker-pool';

/*
 * The pool under lib/render/markdown.ts, with small limits and a worker whose tasks misbehave on demand.
 * Its entry is the same serveWorkerTasks the render workers use, loaded from source through tsx.
 */

const poolModule = new URL('../lib/render/worker-pool.ts', import.meta.url).href;
const TASKS = `
  import('tsx/esm/api')
    .then(({ register }) => { register(); return import(${JSON.stringify(poolModule)}); })
    .then(({ serveWorkerTasks }) => serveWorkerTasks((task) => {
      if (task === 'spin') for (;;);
      if (task === 'stamp') return String(Date.now());
      if (task === 'busy') { const end = Date.now() + 1_500; while (Date.now() < end); }
      if (task === 'hog') { const kept = []; for (;;) kept.push(new Array(1e5).fill(Math.random())); }
      if (task === 'fail') throw new TypeError('bad task');
      if (task === 'exit') process.exit(3);
      // Off the CPU, as a worker is while other threads have the cores: a second, or for good.
      if (task === 'nap') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
      if (task === 'long nap') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4_000);
      if (task === 'sleep') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      return 'done ' + task;
    }));`;

let pool: WorkerPool<string, string>;
let spawned = 0;

function makePool(options: Partial<WorkerPoolOptions> = {}) {
  spawned = 0;
  pool = new WorkerPool<string, string>({
    spawn: () => {
      spawned++;
      return new Worker(TASKS, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    },
    size: 1,
    maxQueue: 2,
    maxWaitMs: 10_000,
    ...options,
  });
  return pool;
}

afterEach(() => pool.close());

describe('WorkerPool', () => {
  it('starts a worker on first use and keeps using it', async () => {
    makePool();
    expect(pool.workerCount).toBe(0);
    expect(await pool.run('a', 5_000)).toBe('done a');
    expect(await pool.run('b', 5_000)).toBe('done b');
    expect(spawned).toBe(1);
  });

  it('starts up to its size for tasks that wait', async () => {
    makePool({ size: 2, maxQueue: 10 });
    expect(await Promise.all(['a', 'b', 'c', 'd'].map((task) => pool.run(task, 5_000)))).toEqual(['done a', 'done b', 'done c', 'done d']);
    expect(spawned).toBe(2);
  });

  describe('with a spare worker for slow tasks (spareAfterMs)', () => {
    const spare = { size: 2, maxQueue: 10, spareAfterMs: 100, spareIdleMs: 300 };

    it('runs quick tasks that come at once on one worker', async () => {
      makePool(spare);
      const tasks = Array.from({ length: 10 }, (_, n) => `t${n}`);
      expect(await Promise.all(tasks.map((task) => pool.run(task, 5_000)))).toEqual(tasks.map((task) => `done ${task}`));
      expect(spawned).toBe(1);
    });

    it('starts the second worker when a burst leaves spareQueue tasks waiting', async () => {
      makePool({ ...spare, spareQueue: 3 });
      await pool.run('warm', 5_000);
      await Promise.all(['a', 'b', 'c', 'd'].map((task) => pool.run(task, 5_000)));
      expect(spawned).toBe(2);
    });

    it.each([1, 4])(
      'starts the second worker for a task that waits behind a slow one, and stops it when it is idle (pipeline %i)',
      async (pipeline) => {
        makePool({ ...spare, pipeline });
        await pool.run('warm', 5_000);
        // Long enough for the second worker to load (tsx compiles its entry here).
        const slow = pool.run('busy', 10_000);
        const order: string[] = [];
        const quick = pool.run('quick', 5_000).then((output) => order.push(output));
        await Promise.all([slow.then((output) => order.push(output)), quick]);
        // The quick task did not wait for the slow one's second and a half, even when it was given
        // to the same worker behind it.
        expect(order).toEqual(['done quick', 'done busy']);
        expect(spawned).toBe(2);
        await expect.poll(() => pool.workerCount, { timeout: 3_000 }).toBe(1);
        // On the worker that is left, whichever it is: one that ran a slow task is not slow for ever.
        expect(await pool.run('after', 5_000)).toBe('done after');
        expect(spawned).toBe(2);
      },
    );

    // Where a thread's CPU time can be read (Linux). A render waits for a core whenever the machine
    // is saturated; a second worker would wait as well, and cost its memory for nothing.
    it.runIf(existsSync('/proc/thread-self'))('starts no second worker for a task that waits for a core rather than runs', async () => {
      makePool(spare);
      await pool.run('warm', 5_000);
      expect(await Promise.all([pool.run('nap', 5_000), pool.run('quick', 5_000)])).toEqual(['done nap', 'done quick']);
      expect(spawned).toBe(1);
    });
  });

  describe('giving a worker several tasks at once (pipeline)', () => {
    it('keeps the worker working while this thread is busy elsewhere', async () => {
      makePool({ pipeline: 4, maxQueue: 10 });
      await pool.run('warm', 5_000);
      const ran = Promise.all(Array.from({ length: 4 }, () => pool.run('stamp', 5_000)));
      // A busy server's thread: it cannot read an answer and hand out the next task for half a second.
      const busyUntil = Date.now() + 500;
      while (Date.now() < busyUntil);
      for (const stamp of await ran) expect(Number(stamp)).toBeLessThanOrEqual(busyUntil);
      expect(spawned).toBe(1);
    });

    it('times each task from when the one before it ended', async () => {
      makePool({ pipeline: 2 });
      await pool.run('warm', 5_000);
      // 1.5 s each, and a limit of 2.5 s each: counted from the first one's start, the second would be stopped.
      expect(await Promise.all([pool.run('busy', 2_500), pool.run('busy', 2_500)])).toEqual(['done busy', 'done busy']);
      expect(spawned).toBe(1);
    });

    it('runs the tasks behind one stopped at its limit on the worker that replaces it', async () => {
      makePool({ pipeline: 4, maxQueue: 10 });
      await pool.run('warm', 5_000);
      const outcomes = await Promise.allSettled([pool.run('spin', 300), pool.run('after 1', 5_000), pool.run('after 2', 5_000)]);
      expect(outcomes).toEqual([
        { status: 'rejected', reason: new WorkerLimitError('time') },
        { status: 'fulfilled', value: 'done after 1' },
        { status: 'fulfilled', value: 'done after 2' },
      ]);
      expect(spawned).toBe(2);
    });
  });

  describe('lanes: the owner first, then readers by turns (a key each)', () => {
    /** Runs tasks queued in one go (the worker is still loading) and gives the order they ran in. */
    async function ranInOrder(tasks: [task: string, key?: string][]): Promise<string[]> {
      const order: string[] = [];
      await Promise.all(tasks.map(([task, key]) => pool.run(task, 5_000, key).then((output) => order.push(output.slice('done '.length)))));
      return order;
    }

    it('runs a task without a key (the author’s) before readers’ tasks that waited longer', async () => {
      makePool({ maxQueue: 10 });
      expect(
        await ranInOrder([
          ['r1', 'a'],
          ['r2', 'b'],
          ['author', undefined],
          ['r3', 'a'],
        ]),
      ).toEqual(['author', 'r1', 'r2', 'r3']);
    });

    it('gives each reader key one turn a round, however many tasks one key sent first', async () => {
      makePool({ maxQueue: 10 });
      const flood: [string, string][] = [
        ['a1', 'a'],
        ['a2', 'a'],
        ['a3', 'a'],
        ['a4', 'a'],
        ['b1', 'b'],
        ['c1', 'c'],
        ['b2', 'b'],
      ];
      expect(await ranInOrder(flood)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
    });

    it('gives a worker one task of a key at a time, so a key’s tasks in its pipeline cannot hold another key’s', async () => {
      makePool({ maxQueue: 10, pipeline: 4 });
      await pool.run('warm', 5_000);
      // Queued together on a ready worker with room for four: c1 goes in behind a1, not behind a4.
      expect(
        await ranInOrder([
          ['a1', 'a'],
          ['a2', 'a'],
          ['a3', 'a'],
          ['a4', 'a'],
          ['c1', 'c'],
        ]),
      ).toEqual(['a1', 'c1', 'a2', 'a3', 'a4']);
    });

    it('refuses a key its tasks beyond maxQueuePerKey at once, and still queues other keys and the author', async () => {
      makePool({ maxQueue: 10, maxQueuePerKey: 2 });
      const outcomes = await Promise.allSettled([
        pool.run('a1', 5_000, 'a'),
        pool.run('a2', 5_000, 'a'),
        pool.run('a3', 5_000, 'a'),
        pool.run('b1', 5_000, 'b'),
        pool.run('author', 5_000),
      ]);
      expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : outcome.reason))).toEqual([
        'done a1',
        'done a2',
        new WorkerPoolBusyError(),
        'done b1',
        'done author',
      ]);
    });

    it('never refuses the author because readers filled the queue', async () => {
      makePool({ maxQueue: 2 });
      const outcomes = await Promise.allSettled([
        pool.run('a1', 5_000, 'a'),
        pool.run('b1', 5_000, 'b'),
        pool.run('c1', 5_000, 'c'),
        pool.run('author', 5_000),
      ]);
      expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : outcome.reason))).toEqual([
        'done a1',
        'done b1',
        new WorkerPoolBusyError(),
        'done author',
      ]);
    });
  });

  it.each([
    ['that keeps its worker busy', 'spin'],
    // However little it runs: wall-clock time bounds it too, at WALL_LIMIT_FACTOR times its limit.
    ['that sleeps', 'sleep'],
  ])('stops a task %s at its time limit and replaces the worker', async (_, task) => {
    makePool();
    await pool.run('warm', 5_000);
    const started = performance.now();
    await expect(pool.run(task, 300)).rejects.toEqual(new WorkerLimitError('time'));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(await pool.run('after', 5_000)).toBe('done after');
    expect(spawned).toBe(2);
  });

  // Where a thread's CPU time can be read (Linux); elsewhere the limit counts wall-clock time.
  it.runIf(existsSync('/proc/thread-self'))('counts the time its worker runs, not the time it waits for a core', async () => {
    makePool();
    await pool.run('warm', 5_000);
    // Wall-clock time would stop it at 0.6 s; the backstop is WALL_LIMIT_FACTOR times that.
    expect(await pool.run('nap', 600)).toBe('done nap');
    expect(spawned).toBe(1);
  });

  it('takes an answer that came in time, however late this thread gets round to reading it', async () => {
    makePool();
    await pool.run('warm', 5_000);
    const running = pool.run('quick', 300);
    // A busy server's thread, on other work (not in the pool's message handler, which would read the
    // answer as soon as it returned): the answer waits there while the limit passes.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        const busyUntil = performance.now() + 1_500;
        while (performance.now() < busyUntil);
        resolve();
      }),
    );
    expect(await running).toBe('done quick');
  });

  it('stops a task that outgrows the heap limit', async () => {
    makePool();
    await expect(pool.run('hog', 20_000)).rejects.toEqual(new WorkerLimitError('memory'));
    expect(await pool.run('after', 5_000)).toBe('done after');
  }, 30_000);

  it('passes on an error thrown by a task, and the worker goes on', async () => {
    makePool();
    await expect(pool.run('fail', 5_000)).rejects.toMatchObject({ name: 'TypeError', message: 'bad task' });
    expect(await pool.run('after', 5_000)).toBe('done after');
    expect(spawned).toBe(1);
  });

  it('fails the task of a worker that exits, and starts another', async () => {
    makePool();
    await expect(pool.run('exit', 5_000)).rejects.toThrow(/stopped unexpectedly \(exit code 3\)/);
    expect(await pool.run('after', 5_000)).toBe('done after');
    expect(spawned).toBe(2);
  });

  it('refuses tasks beyond the queue at once, and tasks that waited too long', async () => {
    // Waits long enough for a worker to start on a busy machine, and shorter than the spin's limit.
    makePool({ maxQueue: 1, maxWaitMs: 2_000 });
    await pool.run('warm', 5_000);
    // Outcomes are caught as they come: on a busy machine the wait can run out before they are awaited.
    const running = pool.run('spin', 4_000).catch((error: unknown) => error);
    const waiting = pool.run('waits', 5_000).catch((error: unknown) => error);
    await expect(pool.run('refused', 5_000)).rejects.toBeInstanceOf(WorkerPoolBusyError);
    expect(await waiting).toBeInstanceOf(WorkerPoolBusyError);
    expect(await running).toBeInstanceOf(WorkerLimitError);
    // Four seconds of the spin's CPU time: longer where other work shares the cores.
  }, 20_000);

  it('fails what waits when its worker cannot load, instead of leaving it waiting', async () => {
    pool = new WorkerPool<string, string>({
      spawn: () => new Worker('throw new Error("no such entry")', { eval: true }),
      size: 1,
      maxQueue: 5,
      maxWaitMs: 10_000,
    });
    const started = performance.now();
    const results = await Promise.allSettled([pool.run('a', 5_000), pool.run('b', 5_000)]);
    expect(results).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ message: 'no such entry' }) },
      { status: 'rejected', reason: expect.objectContaining({ message: 'no such entry' }) },
    ]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses what waits and stops its workers when closed', async () => {
    makePool();
    await pool.run('warm', 5_000);
    const outcomes = Promise.allSettled([pool.run('spin', 5_000), pool.run('waits', 5_000)]);
    await pool.close();
    expect(await outcomes).toEqual([
      { status: 'rejected', reason: new Error('The worker pool was closed.') },
      { status: 'rejected', reason: new Error('The worker pool was closed.') },
    ]);
    expect(pool.workerCount).toBe(0);
    await expect(pool.run('late', 5_000)).rejects.toThrow(/closed/);
  });
});
