import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CommentContent,
  countLinks,
  decideCommentStatus,
  decideEditStatus,
  findBlockedWord,
  foldText,
  issueFormToken,
  readFormAge,
} from '@/lib/comments/spam-policy';
import { editableIds, grantEdit } from '@/lib/comments/reader-cookies';
import { commentSettingsSchema } from '@/lib/comments/schemas';
import { renderComment } from '@/lib/render/markdown';

const defaults = commentSettingsSchema.parse({});
const clean = { honeypotFilled: false, formAgeMs: null };
const never = () => false;

/** A comment as the checks read it: its body through the real render pipeline (a worker thread). */
async function written(body: string, who: { authorName?: string; authorEmail?: string } = {}): Promise<CommentContent> {
  return { authorName: 'Ada', authorEmail: 'ada@example.com', ...who, visible: (await renderComment(body)).visible };
}

let comment: CommentContent;
beforeAll(async () => {
  comment = await written('A fine post.');
}, 30_000);

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

  it('holds comments with many links', async () => {
    const many = await written('See https://a.example and http://b.example and www.c.example');
    expect(decideCommentStatus(many, defaults, clean, never)).toMatchObject({ status: 'pending', reason: '3 links (the limit is 2)' });
    expect(decideCommentStatus(many, { ...defaults, maxLinks: 3 }, clean, never).status).toBe('approved');
  });

  it('holds comments with a blocklisted word in the name, email or text', async () => {
    const settings = { ...defaults, blocklist: ['casino', 'spam.example'] };
    expect(decideCommentStatus(await written('Best CASINO bonus'), settings, clean, never).status).toBe('pending');
    expect(decideCommentStatus(await written('Hi', { authorEmail: 'x@spam.example' }), settings, clean, never).status).toBe('pending');
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

  it('re-checks links and the blocklist under the other policies', async () => {
    const links = await written('https://a.example https://b.example https://c.example');
    const casino = await written('casino');
    for (const moderation of ['immediate', 'hold_first_time'] as const) {
      const settings = { ...defaults, moderation, blocklist: ['casino'] };
      expect(decideEditStatus('approved', comment, settings).status).toBe('approved');
      expect(decideEditStatus('approved', links, settings).status).toBe('pending');
      expect(decideEditStatus('approved', casino, settings).status).toBe('pending');
    }
  });

  it('never publishes a held or spam comment by editing it', () => {
    expect(decideEditStatus('pending', comment, defaults).status).toBe('pending');
    expect(decideEditStatus('spam', comment, defaults).status).toBe('spam');
  });
});

/*
 * Issue 23, item 4: links and words as the comment shows them, however its Markdown spells them
 * (the review's payloads; tests/security.test.ts sends them through the API).
 */
describe('what a comment shows', () => {
  const linksIn = async (body: string) => countLinks((await written(body)).visible);

  it('counts the links of the rendered HTML and the addresses it shows as text, each once', async () => {
    expect(await linksIn('no links here')).toBe(0);
    expect(await linksIn('[a](https://x.example) and https://y.example')).toBe(2);
    expect(await linksIn('[one][a] and [two][a]\n\n[a]: //spam.example/buy')).toBe(2);
    expect(await linksIn('[pills][p]\n\n[p]: &#104;ttps://spam.example/buy')).toBe(1);
    expect(await linksIn('Visit &#104;ttps://spam.example/buy or \uff48\uff54\uff54\uff50\uff53://wide.example')).toBe(2);
    expect(await linksIn('Mail [me](mailto:a@example.com), see <https://x.example> and www.y.example.')).toBe(3);
    expect(await linksIn('Code `https://x.example` shows an address too.')).toBe(1);
    // A link the sanitiser removed is text, not a link.
    expect(await linksIn('[click](javascript:alert(1))')).toBe(0);
  });

  it('finds blocklisted words in the rendered text, folded', async () => {
    const blocked = async (body: string) => findBlockedWord(['viagra'], [(await written(body)).visible.text]);
    for (const body of [
      'v&#105;agra',
      'v*i*agra',
      'v\\iagra',
      'vi\u200bagra',
      'via\u00adgra',
      'vi\u2060agra',
      'vi\u0301agra',
      '\uff56\uff49\uff41\uff47\uff52\uff41',
      'VIAGRA',
      'v.i.a.g.r.a',
      '`viagra`',
    ]) {
      expect(await blocked(`Cheap ${body} here`), body).toBe('viagra');
    }
    expect(await blocked('Via Agra to Delhi')).toBeUndefined();
  });

  it('finds blocklisted words in link addresses, decoded', async () => {
    const { visible } = await written('[a nice article](https://shop.example/v%69agra)');
    expect(visible.text).toBe('a nice article');
    expect(decideCommentStatus({ ...comment, visible }, { ...defaults, blocklist: ['viagra'] }, clean, never).status).toBe('pending');
  });

  it('folds the blocklist the same way, and keeps entries that are punctuation', () => {
    expect(foldText('Stra\u00dfe \ufb01x \uff21\u200b')).toBe('strasse fix a');
    expect(findBlockedWord(['Stra\u00dfe'], ['STRASSE'])).toBe('Stra\u00dfe');
    expect(findBlockedWord(['@spam.example'], ['x@spam.example'])).toBe('@spam.example');
    expect(findBlockedWord(['$$$'], ['earn $$$ now'])).toBe('$$$');
    expect(findBlockedWord(['$$$'], ['earn$$$now'])).toBe('$$$');
    expect(findBlockedWord(['\u200b'], ['anything'])).toBeUndefined();
  });

  it('finds a word wherever its folded form is in the folded text (property)', () => {
    const chars = fc.constantFrom(...'aB.-$ \u00df\u200b\u00ad\u0301\uff41@/'.split(''));
    const word = fc.array(chars, { minLength: 1, maxLength: 6 }).map((list) => list.join(''));
    fc.assert(
      fc.property(word, word, word, (before, blocked, after) => {
        fc.pre(foldText(blocked) !== '');
        expect(findBlockedWord([blocked], [`${before}${blocked}${after}`])).toBe(blocked);
      }),
    );
  });
});

describe('spam helpers', () => {
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
    expect(commentSettingsSchema.safeParse({ moderation: 'yolo' }).success).toBe(false);
    expect(commentSettingsSchema.safeParse({ commentRateLimit: { max: 0, windowSeconds: 60 } }).success).toBe(false);
    expect(commentSettingsSchema.parse({ blocklist: ['  Casino '] }).blocklist).toEqual(['casino']);
  });
});
