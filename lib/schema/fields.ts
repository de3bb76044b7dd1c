import { z } from 'zod';
import { formatBytes, utf8Length } from '@/lib/bytes';
import { responseSchema } from '@/lib/schema/registry';

/*
 * The vocabulary every domain's schemas share: how request text is cleaned and checked, dates, URLs and
 * list envelopes. The domains' own schemas live beside their code (lib/content/schemas.ts,
 * lib/comments/schemas.ts, lib/auth/schemas.ts, lib/site/schemas.ts); this folder is below all of them.
 */

/* Requests. Text is normalised before it is checked: control characters (NUL included) are removed,
 * line endings unified and surrounding whitespace trimmed, so whitespace-only is empty. */

const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
export const cleanText = (value: string) => value.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '').trim();

const SURROGATE_PAIRS = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

/**
 * A text's length as textField's limits count it: characters (code points) of the cleaned text, as
 * zod measures strings, so an emoji is one, not two UTF-16 units. Forms count with it (the comment
 * box's counter), so the browser and the API agree on what is too long.
 */
export const textLength = (value: string) => {
  const text = cleanText(value);
  return text.length - (text.match(SURROGATE_PAIRS)?.length ?? 0);
};

/** Cleaned text of `min` to `max` characters (textLength); its messages name the field as `label`. */
export const textField = (label: string, max: number, min = 1) =>
  z
    .string({ error: `${label} must be text.` })
    .transform(cleanText)
    .pipe(
      z
        .string()
        .min(min, min === 1 ? `${label} is required.` : `${label} must be at least ${min} characters.`)
        .max(max, `${label} must be at most ${max.toLocaleString('en')} characters.`),
    );

/**
 * Cleaned Markdown of at most `maxBytes` bytes of UTF-8, the unit the setting and the editor's counter
 * use: a character limit would allow three times as much Chinese as English in the same bytes.
 */
export const markdownField = (label: string, maxBytes: number, min = 1) => {
  const tooLong = (text: string) =>
    `${label} is ${formatBytes(utf8Length(text) - maxBytes)} over its limit of ${formatBytes(maxBytes)}; shorten it or split it into two posts.`;
  return z
    .string({ error: `${label} must be text.` })
    .describe(`Markdown, at most ${formatBytes(maxBytes)} (${maxBytes.toLocaleString('en')} bytes) of UTF-8`)
    .transform(cleanText)
    .pipe(
      z
        .string()
        .min(min, min === 1 ? `${label} is required.` : `${label} must be at least ${min} characters.`)
        // Characters never outnumber bytes: a text with more is refused before its bytes are counted.
        .max(maxBytes, { error: (issue) => tooLong(issue.input as string), abort: true })
        .refine((text) => utf8Length(text) <= maxBytes, { error: (issue) => tooLong(issue.input as string) }),
    );
};

/** Empty optional form fields arrive as "" and mean "not given". */
export const optionalField = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());

/* Responses. They are not used to build answers; the contract test validates real answers against
 * them (through the OpenAPI document), so they cannot drift. */

export const dateTime = z.iso.datetime().describe('UTC ISO 8601 date-time');
export const url = z.url();

/** A keyset-paginated list of `item`, named `id`. */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  responseSchema(
    id,
    z.object({ data: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last') }),
  );
