import { describe, expect, it } from 'vitest';
import {
  countLinks,
  decideCommentStatus,
  decideEditStatus,
  editableIds,
  findBlockedWord,
  grantEdit,
  issueFormToken,
  readFormAge,
} from '@/lib/comments/moderation';
import { siteSettingsSchema } from '@/lib/comments/schemas';

const defaults = siteSettingsSchema.parse({});
const clean = { honeypotFilled: false, formAgeMs: null };
const comment = { authorName: 'Ada', authorEmail: 'ada@example.com', body: 'A fine post.' };
const never = () => false;

describe('decideCommentStatus', () => {
  it('publishes immediately by default', () => {
    expect(decideCommentStatus(comment, defaults, clean, never).status).toBe('approved');
  });

  it('stores a honeypot comment as spam', () => {
    expect(decideCommentStatus(comment, defaults, { honeypotFilled: true, formAgeMs: 60_000 }, never)).toMatchObject({ status: 'spam' });
  });

  it('treats a form submitted faster than the minimum as spam, and a slower one as fine', () => {
    expect(decideCommentStatus(comment, defaults, { honeypotFilled: false, formAgeMs: 800 }, never).status).toBe('spam');
    expect(decideCommentStatus(comment, defaults, { honeypotFilled: false, formAgeMs: 5_000 }, never).status).toBe('approved');
  });

  it('holds comments with many links', () => {
    const body = 'See https://a.example and http://b.example and www.c.example';
    expect(decideCommentStatus({ ...comment, body }, defaults, clean, never)).toMatchObject({ status: 'pending', reason: '3 links' });
    expect(decideCommentStatus({ ...comment, body }, { ...defaults, maxLinks: 3 }, clean, never).status).toBe('approved');
  });

  it('holds comments with a blocklisted word in the name, email or text', () => {
    const settings = { ...defaults, blocklist: ['casino', 'spam.example'] };
    expect(decideCommentStatus({ ...comment, body: 'Best CASINO bonus' }, settings, clean, never).status).toBe('pending');
    expect(decideCommentStatus({ ...comment, authorEmail: 'x@spam.example' }, settings, clean, never).status).toBe('pending');
    expect(decideCommentStatus(comment, settings, clean, never).status).toBe('approved');
  });

  it('follows the moderation policy', () => {
    const holdAll = { ...defaults, moderation: 'hold_all' as const };
    expect(decideCommentStatus(comment, holdAll, clean, () => true).status).toBe('pending');
    const firstTime = { ...defaults, moderation: 'hold_first_time' as const };
    expect(decideCommentStatus(comment, firstTime, clean, never).status).toBe('pending');
    expect(decideCommentStatus(comment, firstTime, clean, () => true).status).toBe('approved');
    expect(decideCommentStatus({ ...comment, authorEmail: undefined }, firstTime, clean, () => true).status).toBe('approved');
  });
});

describe('decideEditStatus', () => {
  it('holds an edited approved comment again when every comment is held', () => {
    const holdAll = { ...defaults, moderation: 'hold_all' as const };
    expect(decideEditStatus('approved', comment, holdAll).status).toBe('pending');
  });

  it('re-checks links and the blocklist under the other policies', () => {
    for (const moderation of ['immediate', 'hold_first_time'] as const) {
      const settings = { ...defaults, moderation, blocklist: ['casino'] };
      expect(decideEditStatus('approved', comment, settings).status).toBe('approved');
      expect(
        decideEditStatus('approved', { ...comment, body: 'https://a.example https://b.example https://c.example' }, settings).status,
      ).toBe('pending');
      expect(decideEditStatus('approved', { ...comment, body: 'casino' }, settings).status).toBe('pending');
    }
  });

  it('never publishes a held or spam comment by editing it', () => {
    expect(decideEditStatus('pending', comment, defaults).status).toBe('pending');
    expect(decideEditStatus('spam', comment, defaults).status).toBe('spam');
  });
});

describe('spam helpers', () => {
  it('counts links in text and Markdown', () => {
    expect(countLinks('no links here')).toBe(0);
    expect(countLinks('[a](https://x.example) and https://y.example')).toBe(3);
  });

  it('finds blocklisted words case-insensitively', () => {
    expect(findBlockedWord(['viagra'], ['Buy ViAgRa now'])).toBe('viagra');
    expect(findBlockedWord(['viagra'], ['hello', undefined])).toBeUndefined();
  });

  it('form tokens carry a signed render time', async () => {
    const now = 1_800_000_000_000;
    const token = await issueFormToken(now);
    expect(await readFormAge(token, now + 4_000)).toBe(4_000);
    expect(await readFormAge(token.replace(/\.[^.]+$/, '.forged'), now)).toBeNull();
    expect(await readFormAge(`f${now - 60_000}`, now)).toBeNull();
    expect(await readFormAge(42, now)).toBeNull();
  });

  it('edit grants are signed, expire and hold at most twenty comments', async () => {
    const now = 1_800_000_000_000;
    let cookie = await grantEdit(undefined, 1, now + 60_000, now);
    cookie = await grantEdit(cookie, 2, now + 120_000, now);
    expect(await editableIds(cookie, now)).toEqual([1, 2]);
    expect(await editableIds(cookie, now + 90_000)).toEqual([2]);
    expect(await editableIds(cookie.slice(0, -2) + 'xx', now)).toEqual([]);
    expect(await editableIds(`${Buffer.from('[[3,9999999999999]]').toString('base64url')}.sig`, now)).toEqual([]);
    for (let id = 3; id < 30; id++) cookie = await grantEdit(cookie, id, now + 60_000, now);
    expect(await editableIds(cookie, now)).toHaveLength(20);
  });
});

describe('settings', () => {
  it('have safe defaults and reject nonsense', () => {
    expect(defaults).toMatchObject({ moderation: 'immediate', commentsEnabled: true, maxLinks: 2, editWindowMinutes: 15 });
    expect(siteSettingsSchema.safeParse({ moderation: 'yolo' }).success).toBe(false);
    expect(siteSettingsSchema.safeParse({ commentRateLimit: { max: 0, windowSeconds: 60 } }).success).toBe(false);
    expect(siteSettingsSchema.parse({ blocklist: ['  Casino '] }).blocklist).toEqual(['casino']);
  });
});
