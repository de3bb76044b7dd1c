import fs from 'node:fs';
import path from 'node:path';
import { Table, eq, getTableName, is } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import fc from 'fast-check';
import { z } from 'zod';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb, transaction } from '@/db';
import * as schema from '@/db/schema';
import { ENDPOINTS } from '@/lib/api/endpoints';
import { createApiToken } from '@/lib/auth/api-tokens';
import { MAX_BODY_BYTES } from '@/lib/http';
import { RENDER_TIME_LIMIT_MS } from '@/lib/render/markdown';
import { WALL_LIMIT_FACTOR } from '@/lib/render/worker-pool';
import { EDIT_COOKIE, grantEdit } from '@/lib/comments/reader-cookies';
import { SESSION_COOKIE, createSession } from '@/lib/auth/sessions';
import { updateCommentSettings } from '@/lib/comments/settings';
import { createUser } from '@/lib/auth/users';
import { SLOW_MARKDOWN, fill } from './fixtures/slow-markdown';
import { ADMIN, call, clearTables, makeComment, makePost, resetDatabase } from './helpers';

/*
 * Property-based fuzzing of every route handler, called in-process on a real SQLite file.
 * Random methods, headers, bodies, query strings and path params; whatever arrives, the answer
 * comes within the time limit, is never a 5xx, every error is problem+json, and a rejected
 * request leaves the data as it was. FUZZ_RUNS raises the number of cases per endpoint.
 */

const RUNS = Number(process.env.FUZZ_RUNS) || 200;
/**
 * A post's render may run to its own limit (lib/render/markdown.ts) before it is refused, in CPU time,
 * and on a busy machine to the wall-clock backstop; the rest is slack.
 */
const TIME_LIMIT_MS = RENDER_TIME_LIMIT_MS.post * WALL_LIMIT_FACTOR + 3_000;
const SITE = 'https://blog.example.test';
const PASSWORD = 'a long enough password';
const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Response | Promise<Response>;

/** `/api/posts/[slug]` for the path `/api/posts/{slug}`, as the folders under app/ name it. */
const templateOf = (path: string) => path.replace(/\{(\w+)\}/g, '[$1]');

/** Every route module under app/api, as Next loads it, by its path template. */
const ROUTES: Record<string, Record<string, Handler>> = Object.fromEntries(
  await Promise.all(
    routeTemplates().map(async (template) => [
      template,
      (await import(path.join(process.cwd(), 'app', template, 'route.ts'))) as Record<string, Handler>,
    ]),
  ),
);

interface Field {
  name: string;
  required: boolean;
}

/** The payload schema each writing handler parses (from its definition): its fields steer the bodies towards valid ones. */
const BODY_FIELDS: Record<string, Field[]> = Object.fromEntries(
  ENDPOINTS.flatMap(({ path, operations }) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      operation.body instanceof z.ZodObject
        ? [
            [
              `${method} ${templateOf(path)}`,
              Object.entries(operation.body.shape).map(([name, field]) => ({
                name,
                required: !(field as z.ZodType).safeParse(undefined).success,
              })),
            ],
          ]
        : [],
    ),
  ),
);

/** Every query parameter any endpoint reads. */
const QUERY_NAMES = [
  ...new Set(
    ENDPOINTS.flatMap(({ operations }) => Object.values(operations).flatMap((operation) => Object.keys(operation.query?.shape ?? {}))),
  ),
];

function handlersOf(module: object): [string, Handler][] {
  return Object.entries(module).filter((entry): entry is [string, Handler] => typeof entry[1] === 'function');
}

/** `/api/posts/[slug]` for app/api/posts/[slug]/route.ts. */
function routeTemplates(): string[] {
  const app = path.join(process.cwd(), 'app');
  return fs
    .readdirSync(path.join(app, 'api'), { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'route.ts')
    .map((file) => `/api/${path.dirname(file).split(path.sep).join('/')}`);
}

/* The database before and after: every table of db/schema.ts. */

// Bookkeeping a rejected request must still do: failed sign-ins and comment floods count, tokens note their use.
const BOOKKEEPING = new Set<unknown>([schema.rateLimits]);
const AUDITED = (Object.values(schema) as unknown[]).filter(
  // Table, not SQLiteTable: db/schema.ts holds the tables of the dialect in use, typed as SQLite's.
  (value): value is SQLiteTable => is(value, Table) && !BOOKKEEPING.has(value),
);

async function snapshot(): Promise<string> {
  const tables = await Promise.all(
    AUDITED.map(async (table) => {
      const rows = await getDb().select().from(table);
      const kept = table === schema.apiTokens ? rows.map((row) => ({ ...row, lastUsedAt: null })) : rows;
      // Sorted: without ORDER BY, PostgreSQL returns a row it updated (a token's lastUsedAt) in another place.
      return `${getTableName(table)} ${JSON.stringify(kept.map((row) => JSON.stringify(row)).sort())}`;
    }),
  );
  return tables.join('\n');
}

/* The blog every endpoint is fuzzed against: an author with a session and an API token, posts, comments, a reader's edit cookie. */

interface Seeded {
  slugs: string[];
  commentIds: number[];
  tokenIds: number[];
  session: string;
  apiToken: string;
  editCookie: string;
}

let userId = 0;
let passwordHash = '';

async function seed(): Promise<Seeded> {
  await resetDatabase();
  await clearTables(schema.sessions, schema.apiTokens, schema.tags);
  // A password change the fuzzer got through stays changed: each endpoint starts from the known one.
  await transaction((tx) => tx.update(schema.users).set({ passwordHash }).where(eq(schema.users.id, userId)));
  // Floods are fuzzed elsewhere; here the rate limit would only stop the fuzzer reaching deeper code.
  await updateCommentSettings({ commentRateLimit: { max: 10_000, windowSeconds: 60 }, minSubmitSeconds: 0 });
  const posts = [
    await makePost({ tags: ['SQLite', 'Café'] }),
    await makePost({ commentsEnabled: false }),
    await makePost({ status: 'draft' }),
  ];
  const first = await makeComment(posts[0]!.slug);
  const reply = await makeComment(posts[0]!.slug, { parentId: first.id, body: 'A **reply** with [a link](https://example.com).' });
  const token = await createApiToken(userId, 'fuzz');
  const later = Date.now() + 10 * 60_000;
  return {
    slugs: posts.map((post) => post.slug),
    commentIds: [first.id, reply.id],
    tokenIds: [token.id],
    session: (await createSession(userId)).token,
    apiToken: token.token,
    editCookie: await grantEdit(await grantEdit(undefined, first.id, later), reply.id, later),
  };
}

/* Generators. */

const latin1 = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength });

/** Texts that trip up parsers, databases and normalisers. */
const UNICODE_EDGES = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\uD800',
  '\uDFFF',
  'x\uDC00y',
  '\u202Eevil\u202C',
  '\u200B\u200D\u2060',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301'.repeat(500),
  'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358',
  '\uFFFF\uFFFE',
  '\u{10FFFF}',
  '\u2028\u2029',
  '\r\n\r\n',
  'İı',
  'ﬁ',
  '٣',
  '１２３',
  "'; DROP TABLE posts; --",
  '%00%ff%',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
];

const NUMBERS_AS_STRINGS = [
  '0',
  '1',
  '-1',
  '2.5',
  '1e3',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x1F',
  '0b11',
  ' 7 ',
  '1_000',
  '9007199254740993',
  '99999999999999999999999',
  '00001',
  '+5',
  '.5',
  '5.',
];

const weirdNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e-300),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const text = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), weight: 8 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.constantFrom(...UNICODE_EDGES), weight: 2 },
  {
    arbitrary: fc.tuple(fc.string({ maxLength: 6 }), fc.integer({ min: 1, max: 20_000 })).map(([unit, n]) => (unit || 'x').repeat(n)),
    weight: 1,
  },
);

/** Markdown nested hundreds or thousands of levels deep, up to the 5,000 characters of a comment. */
const NESTING: [string, string][] = [
  ['>', ''],
  ['- ', ''],
  ['1. ', ''],
  ['> - ', ''],
  ['*a ', ' a*'],
  ['**', '**'],
  ['~~a ', ' a~~'],
  ['_a ', ' a_'],
  ['![', '](u)'],
  ['[', ']'],
  ['[^a]: ', ''],
  ['<div>', '</div>'],
];
const nestedMarkdown = fc.tuple(fc.constantFrom(...NESTING), fc.integer({ min: 1, max: 5_000 })).map(([[open, close], depth]) => {
  const levels = Math.min(depth, Math.floor(5_000 / (open.length + close.length)));
  return `${open.repeat(levels)}x${close.repeat(levels)}`;
});

/**
 * Markdown whose parse time grows faster than its length, at a comment's size and a post's (40,000
 * characters of the shapes with newlines are about as much as fits in a request as JSON): rendered,
 * or refused when it reaches the render time limit.
 */
const slowMarkdown = fc
  .tuple(fc.constantFrom(...SLOW_MARKDOWN), fc.constantFrom(5_000, 40_000, 60_000))
  .map(([[, unit], length]) => fill(unit, length));

const markdown = fc.oneof(
  { arbitrary: text, weight: 4 },
  { arbitrary: nestedMarkdown, weight: 2 },
  { arbitrary: slowMarkdown, weight: 2 },
  { arbitrary: fc.constantFrom('# Title\n\n*hi* **there** `code`\n\n> quote\n\n- a\n- b\n\n| a | b |\n|---|---|\n| 1 | 2 |'), weight: 1 },
);

const dateish = fc.oneof(
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom(
    '2026-11-22T09:30:00Z',
    '2999-01-01T00:00:00+14:00',
    '2026-02-31T00:00:00Z',
    '2024-02-29T23:59:59.999-12:00',
    '0000-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59-01:00',
    '2026-13-01T00:00:00Z',
    '2026-11-22',
    '1e12',
    'yesterday',
  ),
);

/** Mostly values the field accepts, so some requests succeed; now and then a near miss. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, nearMiss: fc.Arbitrary<U>) =>
  fc.oneof<[fc.WeightedArbitrary<T | U>, fc.WeightedArbitrary<T | U>]>({ arbitrary: valid, weight: 4 }, { arbitrary: nearMiss, weight: 1 });

const fieldValue = (seeded: Seeded): Record<string, fc.Arbitrary<unknown>> => {
  const id = mostly(fc.constantFrom(...seeded.commentIds), fc.oneof(weirdNumber, fc.constantFrom(...NUMBERS_AS_STRINGS)));
  const count = mostly(
    fc.integer({ min: 0, max: 60 }),
    fc.oneof(fc.integer({ min: -5, max: 100_000 }), weirdNumber, fc.constantFrom(...NUMBERS_AS_STRINGS)),
  );
  const slug = fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,3}$/);
  return {
    title: text,
    body: markdown,
    summary: text,
    slug: mostly(slug, fc.oneof(fc.constantFrom(...seeded.slugs, 'a--b', '-a', 'A', 'x'.repeat(101)), text)),
    status: mostly(
      fc.constantFrom('draft', 'published', 'scheduled', 'pending', 'approved', 'spam'),
      fc.constantFrom('PUBLISHED', 'live', ''),
    ),
    publishedAt: mostly(
      fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
      dateish,
    ),
    tags: mostly(fc.array(text, { maxLength: 5 }), fc.oneof(fc.array(text, { maxLength: 25 }), text)),
    commentsEnabled: mostly(fc.boolean(), fc.constantFrom('true', 'false', 0, 1)),
    authorName: text,
    authorEmail: mostly(fc.emailAddress(), text),
    parentId: id,
    website: mostly(fc.constant(''), fc.constantFrom('https://spam.example')),
    formToken: text,
    action: mostly(fc.constantFrom('approve', 'pending', 'spam', 'delete'), fc.constantFrom('nuke', 'APPROVE')),
    ids: mostly(fc.array(id, { minLength: 1, maxLength: 5 }), fc.oneof(fc.array(id, { maxLength: 120 }), id)),
    email: mostly(fc.constant('ada@example.com'), fc.oneof(fc.emailAddress(), text)),
    password: mostly(fc.constant(PASSWORD), fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(1_100)))),
    currentPassword: mostly(fc.constant(PASSWORD), fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(1_100)))),
    newPassword: mostly(fc.string({ minLength: 12, maxLength: 80 }), fc.oneof(fc.string({ maxLength: 11 }), text, fc.constant(PASSWORD))),
    next: fc.constantFrom('/admin', '/admin/posts?x=%zz', '//evil.example', '/\\evil.example', 'https://evil.example', '/\u2028\u00e9'),
    setupToken: text,
    name: text,
    moderation: mostly(fc.constantFrom('immediate', 'hold_all', 'hold_first_time'), fc.constantFrom('never', '')),
    blocklist: mostly(fc.array(text, { maxLength: 5 }), fc.oneof(fc.array(text, { maxLength: 30 }), text)),
    maxLinks: count,
    commentRateLimit: mostly(
      fc.record({ max: fc.integer({ min: 1, max: 10_000 }), windowSeconds: fc.integer({ min: 1, max: 600 }) }),
      fc.record({ max: count, windowSeconds: count }),
    ),
    minSubmitSeconds: count,
    maxReplyDepth: count,
    editWindowMinutes: count,
  };
};

/** Any JSON value, sometimes very deep: what a hostile client can put where a field is expected. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(...NUMBERS_AS_STRINGS, ...UNICODE_EDGES, null, true, [], {}),
  fc.integer({ min: 1, max: 3_000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown),
);

/**
 * An object with the fields the endpoint reads: the required ones and some optional ones with
 * plausible values (so some requests succeed and the fuzzer reaches the domain), or any of them
 * with hostile values and unknown fields.
 */
function payload(fields: Field[], seeded: Seeded): fc.Arbitrary<Record<string, unknown>> {
  const values = fieldValue(seeded);
  const known = fields.length > 0 ? fields : Object.keys(values).map((name) => ({ name, required: false }));
  const names = known.map((field) => field.name);
  const object = (chosen: string[], value: (name: string) => fc.Arbitrary<unknown>) =>
    fc.tuple(...chosen.map(value)).map((picked) => Object.fromEntries(chosen.map((name, i) => [name, picked[i]])));
  const plausible = (name: string) => values[name] ?? weirdValue;
  const required = known.filter((field) => field.required).map((field) => field.name);
  const optional = known.filter((field) => !field.required).map((field) => field.name);
  const valid = fc.subarray(optional).chain((some) => object([...required, ...some], plausible));
  const hostile = fc
    .tuple(fc.subarray(names), fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), weirdValue, { maxKeys: 2 }))
    .chain(([chosen, extra]) =>
      object(chosen, (name) => fc.oneof({ arbitrary: plausible(name), weight: 3 }, { arbitrary: weirdValue, weight: 1 })).map((picked) => ({
        ...picked,
        ...extra,
      })),
    );
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: hostile, weight: 2 });
}

type Bytes = Uint8Array<ArrayBuffer>;

const encoder = new TextEncoder();
const bytes = (value: string) => encoder.encode(value);
const concat = (...parts: Uint8Array[]): Bytes => Uint8Array.from(Buffer.concat(parts));

/** Byte sequences that are not UTF-8: a lone continuation byte, an overlong slash, an encoded surrogate, a cut-off sequence. */
const INVALID_UTF8 = [
  [0xff],
  [0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xfe, 0xfe, 0xff, 0xff],
].map((b) => Uint8Array.from(b));

/** A body whose connection breaks off after a few bytes, as when a client dies mid-upload. */
function abortedBody(): ReadableStream<Bytes> {
  let sent = false;
  return new ReadableStream({
    pull: (controller) => {
      if (sent) return controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      sent = true;
      controller.enqueue(bytes('{"body":"cut'));
    },
  });
}

/** A body that never ends; the handler must stop reading it at the size limit. */
function endlessBody(): ReadableStream<Bytes> {
  const chunk = bytes(`{"body":"${'a'.repeat(16 * 1024)}`);
  return new ReadableStream({ pull: (controller) => controller.enqueue(chunk) });
}

type Body = { kind: string; value: string | Bytes | (() => ReadableStream<Bytes>) } | undefined;

function bodyFor(fields: Field[], seeded: Seeded): fc.Arbitrary<Body> {
  const object = payload(fields, seeded);
  const asJson = object.map((value) => JSON.stringify(value));
  const limit = fc.constantFrom(MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, MAX_BODY_BYTES * 3);
  return fc.oneof(
    fc.constant(undefined),
    { arbitrary: asJson.map((value) => ({ kind: 'json', value })), weight: 8 },
    {
      arbitrary: object.map((value) => ({
        kind: 'form',
        value: new URLSearchParams(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString(),
      })),
      weight: 3,
    },
    fc.tuple(asJson, fc.nat()).map(([value, cut]) => ({ kind: 'truncated', value: value.slice(0, cut % Math.max(1, value.length)) })),
    fc.tuple(asJson, fc.nat(), fc.constantFrom(...INVALID_UTF8)).map(([value, at, bad]) => {
      const raw = bytes(value);
      const cut = at % (raw.length + 1);
      return { kind: 'invalid-utf8', value: concat(raw.subarray(0, cut), bad, raw.subarray(cut)) };
    }),
    asJson.map((value) => ({ kind: 'nul', value: concat(bytes(value.slice(0, -1)), Uint8Array.of(0), bytes(value.slice(-1))) })),
    fc.integer({ min: 1, max: 40_000 }).map((depth) => ({ kind: 'nested', value: '['.repeat(depth) + ']'.repeat(depth) })),
    fc.integer({ min: 1, max: 12_000 }).map((depth) => ({ kind: 'nested', value: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` })),
    fc
      .tuple(fc.constantFrom(...fields.map((field) => field.name), 'body'), limit)
      .map(([field, size]) => ({ kind: 'huge', value: JSON.stringify({ [field]: 'x'.repeat(size - field.length - 7) }) })),
    fc.json().map((value) => ({ kind: 'json-any', value })),
    fc.string({ unit: 'binary', maxLength: 200 }).map((value) => ({ kind: 'text', value })),
    asJson.map((value) => ({ kind: 'bom', value: `\uFEFF${value}` })),
    fc.constant({ kind: 'endless', value: endlessBody }),
    fc.constant({ kind: 'aborted', value: abortedBody }),
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-16',
  'APPLICATION/JSON',
  ' application/json ; foo=bar',
  'application/merge-patch+json',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=latin1',
  'multipart/form-data; boundary=----x',
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'json',
  ';',
  '',
];

/**
 * Who is calling: the author (bootstrap token, API token or browser session), a reader with an
 * edit cookie, a stranger, or pure noise. Most cases come with a plausible identity, so the
 * fuzzer gets past authentication into parsing and the domain; junk headers are mixed in.
 */
function headersFor(seeded: Seeded): fc.Arbitrary<Record<string, string>> {
  const maybe = (name: string, value: fc.Arbitrary<string>, absent = 1) =>
    fc.oneof({ arbitrary: fc.constant({}), weight: absent }, { arbitrary: value.map((v) => ({ [name]: v })), weight: 1 });
  const adminToken = ADMIN.Authorization.slice('Bearer '.length);
  const session = `${SESSION_COOKIE}=${seeded.session}`;
  const edits = `${EDIT_COOKIE}=${encodeURIComponent(seeded.editCookie)}`;
  const sameSite = fc.oneof(fc.constant({ Origin: SITE }), fc.constant({ 'Sec-Fetch-Site': 'same-origin' }));
  const identity = fc.oneof(
    { arbitrary: fc.constantFrom({ Authorization: ADMIN.Authorization }, { Authorization: `Bearer ${seeded.apiToken}` }), weight: 4 },
    { arbitrary: sameSite.map((site) => ({ Cookie: session, ...site })), weight: 3 },
    { arbitrary: sameSite.map((site) => ({ Cookie: edits, ...site })), weight: 1 },
    { arbitrary: fc.constant({}), weight: 1 },
  );
  const noise = fc.tuple(
    maybe(
      'Authorization',
      fc.oneof(
        fc.constantFrom(
          `bearer   ${adminToken}  `,
          'Bearer',
          'Bearer ',
          'Basic YWRhOnB3',
          `Bearer ${adminToken} extra`,
          `Bearer ${adminToken.slice(0, -1)}`,
        ),
        fc.constantFrom(`Token ${seeded.apiToken}`),
        latin1(80).map((junk) => `Bearer ${junk}`),
        latin1(80),
      ),
      4,
    ),
    maybe(
      'Cookie',
      fc.oneof(
        fc.constantFrom(
          `${session}; ${edits}`,
          `${SESSION_COOKIE}=%zz; ${EDIT_COOKIE}=%E0%A4%A`,
          `${SESSION_COOKIE}=${'x'.repeat(300)}`,
          `${EDIT_COOKIE}=abc.def`,
          ';;;=;',
        ),
        latin1(200),
      ),
      2,
    ),
    maybe('Origin', fc.oneof(fc.constantFrom(SITE, 'https://evil.example', 'null', 'http://blog.example.test'), latin1(40)), 2),
    maybe('Sec-Fetch-Site', fc.constantFrom('same-origin', 'cross-site', 'none', 'same-site'), 3),
    maybe('Content-Type', fc.oneof({ arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 4 }, { arbitrary: latin1(40), weight: 1 }), 2),
    maybe(
      'Content-Length',
      fc.oneof(fc.constantFrom('0', '-1', '1', 'abc', '1e9', String(MAX_BODY_BYTES + 1), '99999999999999999999'), fc.nat().map(String)),
      4,
    ),
    maybe('X-Forwarded-For', fc.oneof(fc.ipV4(), fc.ipV6(), latin1(60)), 2),
    maybe('X-Forwarded-Host', fc.oneof(fc.constantFrom('blog.example.test', 'evil.example'), latin1(30)), 4),
    maybe('X-Forwarded-Proto', fc.constantFrom('https', 'http', 'gopher'), 4),
    maybe('If-None-Match', fc.oneof(fc.constantFrom('*', 'W/"x"', '"', ','), latin1(40)), 4),
    maybe('Accept', fc.oneof(fc.constantFrom('application/json', 'text/html', '*/*'), latin1(40)), 4),
  );
  // Noise, where present, overrides the identity's headers: a valid session with a foreign Origin, say.
  return fc
    .tuple(identity, fc.oneof({ arbitrary: fc.constant([]), weight: 1 }, { arbitrary: noise, weight: 1 }))
    .map(([who, junk]) => Object.assign({}, who, ...junk) as Record<string, string>);
}

const PERCENT_JUNK = ['%', '%z', '%zz', '%00', '%ff', '%c3%28', '%ed%a0%80', '%25', '%%%', '+', '&', '=', '#', '?'];

const queryValue = fc.oneof(
  fc.constantFrom(...NUMBERS_AS_STRINGS, ...PERCENT_JUNK, 'published', 'pending', 'sqlite', 'AND OR NOT " * ( )'),
  fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponentSafe),
  fc.integer({ min: 1, max: 5_000 }).map((n) => 'q'.repeat(n)),
  fc.base64String({ maxLength: 80 }),
);

const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...PERCENT_JUNK), fc.string({ maxLength: 5 })), queryValue), {
    maxLength: 5,
  })
  .map((pairs) => (pairs.length ? `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}` : ''));

function encodeURIComponentSafe(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate has no UTF-8 form; send it as junk the server has to cope with.
    return value;
  }
}

function paramsFor(template: string, seeded: Seeded): fc.Arbitrary<Record<string, string>> {
  const names = [...template.matchAll(/\[(\w+)]/g)].map((match) => match[1]!);
  const numberish = fc.oneof(fc.constantFrom(...NUMBERS_AS_STRINGS, '', '1'.repeat(17), '１', '1/2'), fc.integer().map(String));
  const anyString = fc.oneof(text, fc.constantFrom(...PERCENT_JUNK, '..', '.', '/', 'a/b', 'x'.repeat(5_000)));
  const byName: Record<string, fc.Arbitrary<string>> = {
    slug: fc.oneof(fc.constantFrom(...seeded.slugs), numberish, anyString),
    id: fc.oneof(fc.constantFrom(...[...seeded.commentIds, ...seeded.tokenIds].map(String)), numberish, anyString),
    image: fc.oneof(fc.constantFrom('logo', 'icon'), anyString),
  };
  return fc
    .tuple(...names.map((name) => byName[name] ?? anyString))
    .map((values) => Object.fromEntries(names.map((name, i) => [name, values[i]!])));
}

interface Case {
  handler: string;
  method: string;
  headers: Record<string, string>;
  params: Record<string, string>;
  query: string;
  body: Body;
}

/** Methods Next hands to an exported handler, and odd ones, delivered to a handler as a misrouted request would be. */
function caseFor(template: string, module: object, seeded: Seeded): fc.Arbitrary<Case> {
  const headers = headersFor(seeded);
  const params = paramsFor(template, seeded);
  const forHandler = (handler: string) =>
    fc.record({
      handler: fc.constant(handler),
      method: fc.oneof(
        { arbitrary: fc.constant(handler), weight: 8 },
        { arbitrary: fc.constantFrom(...HTTP_METHODS, 'PROPFIND', 'QUERY', 'get', 'delete', 'X-CUSTOM', 'M-SEARCH'), weight: 1 },
      ),
      headers,
      params,
      query: queryString,
      body: bodyFor(BODY_FIELDS[`${handler} ${template}`] ?? [], seeded),
    });
  // One pick per distinct function: the shared "not allowed" handler is one choice, not four.
  const byFunction = new Map<Handler, string[]>();
  for (const [name, handler] of handlersOf(module)) byFunction.set(handler, [...(byFunction.get(handler) ?? []), name]);
  return fc.oneof(...[...byFunction.values()].map((names) => fc.oneof(...names.map(forHandler))));
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\[(\w+)]/g, (_, name: string) => encodeURIComponentSafe(params[name] ?? ''));
}

async function exercise(template: string, module: object, c: Case): Promise<void> {
  const handler = (module as Record<string, Handler>)[c.handler]!;
  const canHaveBody = !['GET', 'HEAD'].includes(c.method.toUpperCase());
  const body = canHaveBody && c.body ? (typeof c.body.value === 'function' ? c.body.value() : c.body.value) : undefined;
  const headers = { ...c.headers };
  if (c.body && canHaveBody && !('Content-Type' in headers)) {
    headers['Content-Type'] = c.body.kind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
  }

  const before = await snapshot();
  const started = performance.now();
  const response = await withTimeout(
    call(handler, { method: c.method, path: fillPath(template, c.params) + c.query, params: c.params, headers, body }),
    'The answer',
  );
  const text = await withTimeout(response.text(), 'Reading the answer');
  const elapsed = performance.now() - started;
  const label = `${c.method} ${template} answered ${response.status}: ${text.slice(0, 300)}`;

  // A handler that blocks the thread cannot be raced, so a slow answer is measured as well.
  expect(elapsed, label).toBeLessThan(TIME_LIMIT_MS);
  expect(response.status, label).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.headers.get('content-type'), label).toBe('application/problem+json');
    const problem = JSON.parse(text) as Record<string, unknown>;
    expect(problem, label).toMatchObject({
      type: expect.stringMatching(/^\/problems\/[a-z-]+$/),
      title: expect.any(String),
      status: response.status,
      detail: expect.any(String),
    });
    if ('errors' in problem) {
      expect(Array.isArray(problem.errors), label).toBe(true);
      for (const error of problem.errors as unknown[])
        expect(error, label).toEqual({ field: expect.any(String), message: expect.any(String) });
    }
  } else if (/json/.test(response.headers.get('content-type') ?? '') && text) {
    expect(() => JSON.parse(text), label).not.toThrow();
  }
  // A plain HTML form that was refused is sent back to the form with the error in the query.
  const refusedForm = response.status === 303 && /[?&](invalid|error)=/.test(response.headers.get('location') ?? '');
  if (response.status >= 400 || refusedForm) expect(await snapshot(), `${label}\nchanged the database`).toBe(before);
}

describe('fuzzing every API endpoint', () => {
  let seeded: Seeded;

  beforeAll(async () => {
    userId = (await createUser({ email: 'ada@example.com', name: 'Ada', password: PASSWORD })).id;
    passwordHash = (await getDb().select({ passwordHash: schema.users.passwordHash }).from(schema.users))[0]!.passwordHash;
  });

  beforeEach(async () => {
    seeded = await seed();
  });

  it('covers every route.ts under app/api and only HTTP methods are exported as handlers', () => {
    expect(Object.keys(ROUTES).length).toBe(ENDPOINTS.length + 1);
    for (const [template, module] of Object.entries(ROUTES)) {
      const names = handlersOf(module).map(([name]) => name);
      expect(names.length, template).toBeGreaterThan(0);
      expect(
        names.filter((name) => !HTTP_METHODS.includes(name)),
        template,
      ).toEqual([]);
    }
    for (const operation of Object.keys(BODY_FIELDS)) {
      const [method, template] = operation.split(' ') as [string, string];
      expect(ROUTES[template] && method in ROUTES[template], operation).toBe(true);
    }
  });

  it.each(Object.entries(ROUTES))(
    '%s',
    async (template, module) => {
      await fc.assert(
        fc.asyncProperty(caseFor(template, module, seeded), (c) => exercise(template, module, c)),
        { numRuns: RUNS },
      );
    },
    600_000,
  );
});

describe('found by fuzzing (each was a 500)', () => {
  it('a form comment for a slug with non-Latin-1 text is a 404 (the slug is checked before any redirect)', async () => {
    await seed();
    const slug = 'café\u2028';
    const response = await call(ROUTES['/api/posts/[slug]/comments']!.POST as Handler, {
      method: 'POST',
      path: `/api/posts/${encodeURIComponent(slug)}/comments`,
      params: { slug },
      form: { authorName: '', body: '' },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('location')).toBeNull();
  });

  it('a body that breaks off mid-way is a 400', async () => {
    await seed();
    const response = await call(ROUTES['/api/admin/preview']!.POST as Handler, {
      method: 'POST',
      headers: { ...ADMIN, 'Content-Type': 'application/json' },
      body: abortedBody(),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ detail: 'The request body ended before it was complete.' });
  });

  it('a comment nested thousands of levels deep is an invalid body, and nothing is stored', async () => {
    const slug = (await seed()).slugs[0]!;
    const before = await snapshot();
    const response = await call(ROUTES['/api/posts/[slug]/comments']!.POST as Handler, {
      method: 'POST',
      params: { slug },
      json: { authorName: 'Deep', body: `${'>'.repeat(3_000)} x` },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual([{ field: 'body', message: expect.stringMatching(/too deeply/) }]);
    expect(await snapshot()).toBe(before);
  });
});

describe('Markdown that takes too long to format', () => {
  /**
   * Every endpoint that renders Markdown, with a payload it accepts around the body and the body's
   * longest length (a post's is what fits in a request as JSON with newlines escaped).
   */
  const RENDERING: [
    template: string,
    method: string,
    payload: (body: string) => object,
    params: (seeded: Seeded) => Record<string, string>,
    maxLength: number,
  ][] = [
    ['/api/posts', 'POST', (body) => ({ title: 'Slow', body, status: 'published' }), () => ({}), 42_000],
    ['/api/posts/[slug]', 'PATCH', (body) => ({ body }), (seeded) => ({ slug: seeded.slugs[0]! }), 42_000],
    ['/api/admin/preview', 'POST', (body) => ({ body }), () => ({}), 42_000],
    ['/api/posts/[slug]/comments', 'POST', (body) => ({ authorName: 'Reader', body }), (seeded) => ({ slug: seeded.slugs[0]! }), 5_000],
    ['/api/comments/[id]', 'PATCH', (body) => ({ body }), (seeded) => ({ id: String(seeded.commentIds[0]) }), 5_000],
  ];

  it('is answered in time by every endpoint that renders it, as the fuzzed endpoints are', async () => {
    const seeded = await seed();
    // Long bodies mostly: the slow shapes take longest near the largest size an endpoint accepts.
    const slowCase = fc
      .tuple(
        fc.constantFrom(...RENDERING),
        fc.string({ maxLength: 20 }),
        fc.constantFrom(...SLOW_MARKDOWN),
        fc.integer({ min: 40, max: 100 }),
      )
      .map(([endpoint, lead, [, unit], percent]) => ({
        endpoint,
        body: lead + fill(unit, Math.floor((endpoint[4] * percent) / 100) - lead.length),
      }));
    await fc.assert(
      fc.asyncProperty(slowCase, ({ endpoint: [template, method, payload, params], body }) =>
        exercise(template, ROUTES[template]!, {
          handler: method,
          method,
          headers: { ...ADMIN, 'Content-Type': 'application/json' },
          params: params(seeded),
          query: '',
          body: { kind: 'json', value: JSON.stringify(payload(body)) },
        }),
      ),
      // Each case may run to the render time limit: a few, unless FUZZ_RUNS asks for more.
      { numRuns: Math.max(5, Math.round(RUNS / 20)) },
    );
  }, 600_000);

  it('is an invalid body, answered within the time limit, and nothing is stored', async () => {
    await seed();
    const before = await snapshot();
    const started = performance.now();
    // 40,000 characters of setext headings: about 60 KB of JSON, under the request size limit; a minute of parsing.
    const response = await call(ROUTES['/api/posts']!.POST as Handler, {
      method: 'POST',
      headers: ADMIN,
      json: { title: 'Headings', body: fill('a\n=\n', 40_000), status: 'published' },
    });
    expect(performance.now() - started).toBeLessThan(TIME_LIMIT_MS);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await response.json()).errors).toEqual([{ field: 'body', message: 'This text takes too long to format; simplify it.' }]);
    expect(await snapshot()).toBe(before);
  }, 30_000);

  it('in a comment is text, not headings, and is rendered at once', async () => {
    const slug = (await seed()).slugs[0]!;
    const started = performance.now();
    const response = await call(ROUTES['/api/posts/[slug]/comments']!.POST as Handler, {
      method: 'POST',
      params: { slug },
      json: { authorName: 'Headings', body: fill('a\n=\n', 5_000) },
    });
    expect(response.status).toBe(201);
    expect(performance.now() - started).toBeLessThan(RENDER_TIME_LIMIT_MS.comment);
    expect((await response.json()).html).toMatch(/^<p>a\n=\na\n=/);
  });
});
