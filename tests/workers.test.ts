import { describe, expect, it } from 'vitest';
import { parseWorkers } from '@/lib/env';
import { restartDelayMs } from '@/server/workers.mjs';

describe('WORKERS', () => {
  it('is one process unless set; auto is one per core', () => {
    expect(parseWorkers(undefined, 8)).toBe(1);
    expect(parseWorkers('', 8)).toBe(1);
    expect(parseWorkers(' 3 ', 8)).toBe(3);
    expect(parseWorkers('auto', 8)).toBe(8);
  });

  it.each(['0', '-1', '1.5', 'two', 'AUTO', '65', '2x'])('refuses %j with a message naming WORKERS', (value) => {
    expect(() => parseWorkers(value, 8)).toThrow(/WORKERS: must be a whole number from 1 to 64, or auto/);
  });
});

describe('restarting a worker that died', () => {
  it('waits longer with each death in the last minute, up to 30 s', () => {
    expect([1, 2, 3, 4, 10, 20].map(restartDelayMs)).toEqual([100, 200, 400, 800, 30_000, 30_000]);
    expect(restartDelayMs(9)).toBe(25_600);
  });
});
