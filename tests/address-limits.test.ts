import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as commentRoute from '@/app/api/comments/[id]/route';
import * as commentsRoute from '@/app/api/posts/[slug]/comments/route';
import * as sessionRoute from '@/app/api/session/route';
import * as setupRoute from '@/app/api/setup/route';
import { apiTokens, sessions, users } from '@/db/schema';
import { SETUP_LIMIT, prepareSetup } from '@/lib/auth/setup';
import { SIGN_IN_BACKOFF } from '@/lib/auth/sign-in';
import { createUser } from '@/lib/auth/users';
import { updateCommentSettings } from '@/lib/comments/settings';
import { addressForLimits } from '@/lib/http';
import { call, clearTables, makePost, resetDatabase } from './helpers';

/*
 * Issue 23, item 2: per-address limits keyed on the address exactly as written, so one IPv6 /64 (one
 * customer of any host) had unlimited buckets, and one address spelt several ways counted several
 * times. The review's cases, replayed against the handlers with the default RATE_LIMIT_IPV6_PREFIX (64).
 */

const SITE = 'https://blog.example.test';
const PASSWORD = 'a long enough password';
const LIMIT = { max: 6, windowSeconds: 60 };

/** `count` addresses of one /64, `2001:db8:1:1::1` to `2001:db8:1:1::<count in hex>`, as the review used. */
const sameSlash64 = (count: number) => Array.from({ length: count }, (_, i) => `2001:db8:1:1::${(i + 1).toString(16)}`);

const from = (address: string) => ({ 'X-Quire-Client-Address': address });

const comment = (slug: string, address: string, headers: Record<string, string> = {}) =>
  call(commentsRoute.POST, {
    method: 'POST',
    params: { slug },
    json: { authorName: 'Reader', body: `Hello from ${address}` },
    headers: { ...from(address), ...headers },
  });

const signInFrom = (address: string, email = 'ada@example.com', password = 'wrong password') =>
  call(sessionRoute.POST, { method: 'POST', json: { email, password }, headers: { Origin: SITE, ...from(address) } });

const statuses = (responses: Response[]) => responses.map((response) => response.status);
const tally = (codes: number[]) => Object.fromEntries([...new Set(codes)].map((code) => [code, codes.filter((c) => c === code).length]));

beforeEach(async () => {
  // The clock stands still, so no window or sign-in delay runs out while a slow machine works
  // through the requests: what is counted is the limit, never the speed.
  vi.useFakeTimers({ toFake: ['Date'] });
  await resetDatabase();
  await clearTables(sessions, apiTokens, users);
  await updateCommentSettings({ commentRateLimit: LIMIT, minSubmitSeconds: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('one IPv6 /64 is one client for every per-address limit', { timeout: 120_000 }, () => {
  it('comments: 60 from ten addresses of one /64 are limited after the limit', async () => {
    const { slug } = await makePost();
    const addresses = sameSlash64(10);
    const responses: Response[] = [];
    for (let i = 0; i < 60; i++) responses.push(await comment(slug, addresses[i % addresses.length]!));
    expect(tally(statuses(responses))).toEqual({ 201: LIMIT.max, 429: 60 - LIMIT.max });
    // Another /64 is another client.
    expect((await comment(slug, '2001:db8:1:2::1')).status).toBe(201);
  });

  it('edits: a reader’s edits from ten addresses of one /64 are limited after the limit', async () => {
    const { slug } = await makePost();
    const posted = await comment(slug, '198.51.100.1');
    const { id } = await posted.json();
    const cookie = posted.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const responses: Response[] = [];
    for (const address of [...sameSlash64(10), ...sameSlash64(10)]) {
      responses.push(
        await call(commentRoute.PATCH, {
          method: 'PATCH',
          params: { id: String(id) },
          json: { body: `Edited from ${address}` },
          headers: { Cookie: cookie, Origin: SITE, ...from(address) },
        }),
      );
    }
    expect(tally(statuses(responses))).toEqual({ 200: LIMIT.max, 429: 20 - LIMIT.max });
  });

  it('sign-in: 50 wrong passwords from ten addresses of one /64 are throttled, not all checked', async () => {
    await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const addresses = sameSlash64(10);
    const responses: Response[] = [];
    for (let i = 0; i < 50; i++) responses.push(await signInFrom(addresses[i % addresses.length]!));
    // 401 is a checked password; the rest were refused before any check.
    expect(tally(statuses(responses))).toEqual({ 401: SIGN_IN_BACKOFF.pair.free, 429: 50 - SIGN_IN_BACKOFF.pair.free });
    // The author, from another network, is not delayed.
    expect((await signInFrom('2001:db8:9:9::1', 'ada@example.com', PASSWORD)).status).toBe(200);
  });

  it('sign-in across accounts: one /64 trying many accounts is throttled per address', async () => {
    const addresses = sameSlash64(SIGN_IN_BACKOFF.address.free + 5);
    const responses: Response[] = [];
    for (const [i, address] of addresses.entries()) responses.push(await signInFrom(address, `user${i}@example.com`));
    expect(tally(statuses(responses))).toEqual({ 401: SIGN_IN_BACKOFF.address.free, 429: 5 });
  });

  it('setup: attempts from many addresses of one /64 share the setup limit', async () => {
    await prepareSetup();
    const responses: Response[] = [];
    for (const address of sameSlash64(SETUP_LIMIT.max + 3)) {
      responses.push(
        await call(setupRoute.POST, {
          method: 'POST',
          json: { setupToken: 'wrong-token', name: 'Ada', email: 'ada@example.com', password: PASSWORD },
          headers: { Origin: SITE, ...from(address) },
        }),
      );
    }
    expect(tally(statuses(responses))).toEqual({ 403: SETUP_LIMIT.max, 429: 3 });
  });
});

describe('one address spelt several ways is one client', () => {
  it('the four spellings of an IPv6 address share one bucket', async () => {
    const { slug } = await makePost();
    const spellings = ['2001:db8:5:5::ab', '2001:db8:5:5:0::ab', '2001:0db8:0005:0005:0000:0000:0000:00ab', '2001:DB8:5:5::AB'];
    const responses: Response[] = [];
    for (let i = 0; i < 8; i++) responses.push(await comment(slug, spellings[i % spellings.length]!));
    expect(statuses(responses)).toEqual([...Array<number>(LIMIT.max).fill(201), 429, 429]);
  });

  it('IPv4-mapped IPv6 is the IPv4 address', async () => {
    const { slug } = await makePost();
    const forms = ['10.1.2.3', '::ffff:10.1.2.3', '::ffff:a01:203', '::FFFF:0A01:0203'];
    const responses: Response[] = [];
    for (let i = 0; i < 8; i++) responses.push(await comment(slug, forms[i % forms.length]!));
    expect(statuses(responses)).toEqual([...Array<number>(LIMIT.max).fill(201), 429, 429]);
    // ... and not the IPv6 network ::/64 that the mapped forms are written in.
    expect((await comment(slug, '::ab')).status).toBe(201);
  });

  it('what is no address at all shares one bucket, so made-up values cannot multiply buckets', async () => {
    const { slug } = await makePost();
    const junk = [':0::ab', 'unknown', 'not-an-address', '1.2.3.4:5678', '[::1]', '010.001.002.003', ''];
    const responses: Response[] = [];
    for (let i = 0; i < 8; i++) responses.push(await comment(slug, junk[i % junk.length]!));
    expect(statuses(responses)).toEqual([...Array<number>(LIMIT.max).fill(201), 429, 429]);
  });
});

describe('addressForLimits', () => {
  it('gives IPv4 as itself, IPv6 as its network under the prefix', () => {
    expect(addressForLimits('198.51.100.4')).toBe('198.51.100.4');
    expect(addressForLimits('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(addressForLimits('2001:db8:1:1:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:1::/64');
    expect(addressForLimits('2001:DB8:1:1::1', 48)).toBe('2001:db8:1::/48');
    expect(addressForLimits('2001:db8:1:1::1', 56)).toBe(addressForLimits('2001:db8:1:ff::1', 56));
    expect(addressForLimits('fe80::1%eth0')).toBe('fe80::/64');
    expect(addressForLimits(null)).toBe('unknown');
  });

  it('with a prefix of 128, still counts every spelling of one address once', () => {
    const keys = ['2001:db8:5:5::ab', '2001:db8:5:5:0::ab', '2001:0db8:0005:0005:0000:0000:0000:00ab', '2001:DB8:5:5::AB'].map((a) =>
      addressForLimits(a, 128),
    );
    expect(new Set(keys)).toEqual(new Set(['2001:db8:5:5::ab/128']));
    expect(addressForLimits('2001:db8:5:5::ac', 128)).not.toBe(keys[0]);
  });

  it('RATE_LIMIT_IPV6_PREFIX is validated at start-up', async () => {
    const before = process.env.RATE_LIMIT_IPV6_PREFIX;
    try {
      for (const [value, ok] of [
        ['48', true],
        ['128', true],
        ['', true],
        ['0', false],
        ['129', false],
        ['64.5', false],
        ['sixty-four', false],
      ] as const) {
        process.env.RATE_LIMIT_IPV6_PREFIX = value;
        vi.resetModules();
        const { getEnv } = await import('@/lib/env');
        if (ok) expect(getEnv().RATE_LIMIT_IPV6_PREFIX, value).toBe(value === '' ? 64 : Number(value));
        else expect(() => getEnv(), value).toThrow(/RATE_LIMIT_IPV6_PREFIX: must be a whole number from 32 to 128/);
      }
    } finally {
      if (before === undefined) delete process.env.RATE_LIMIT_IPV6_PREFIX;
      else process.env.RATE_LIMIT_IPV6_PREFIX = before;
    }
  });
});
