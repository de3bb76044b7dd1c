import { describe, expect, it } from 'vitest';
import { describeWait, tooManyRequests } from '@/lib/rate-limit';

describe('throttle messages', () => {
  it.each([
    [1, 'in 1 second'],
    [30, 'in 30 seconds'],
    [59, 'in 59 seconds'],
    [60, 'in 1 minute'],
    [61, 'in about 1 minute'],
    [90, 'in about 2 minutes'],
    [515, 'in about 9 minutes'],
    [600, 'in 10 minutes'],
    [3_569, 'in about 59 minutes'],
    // Rounded up to 60 minutes, which reads better as an hour.
    [3_590, 'in about 1 hour'],
    [3_600, 'in 1 hour'],
    [7_000, 'in about 2 hours'],
    [86_400, 'in 24 hours'],
  ])('%i seconds read as "%s"', (seconds, words) => {
    expect(describeWait(seconds)).toBe(words);
  });

  it('speaks in words and keeps Retry-After in seconds', () => {
    const error = tooManyRequests(515, 'You are posting comments too quickly.');
    expect(error.message).toBe('You are posting comments too quickly. Try again in about 9 minutes.');
    expect(error.status).toBe(429);
    expect(error.headers).toMatchObject({ 'Retry-After': '515' });
  });
});
