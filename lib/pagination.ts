import { z } from 'zod';
import { MAX_ID } from '@/db/enums';
import { fieldError } from '@/lib/errors';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Keyset position of the last item seen: its sort time and id. Opaque to clients. */
export type Cursor = { time: string; id: number };

const cursorSchema = z.tuple([z.iso.datetime(), z.number().int().positive().max(MAX_ID)]);

export function encodeCursor({ time, id }: Cursor): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const [time, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { time, id };
  } catch {
    throw fieldError('cursor', 'Invalid cursor: pass the nextCursor value of a previous page unchanged.');
  }
}

const LIMIT_MESSAGE = 'limit must be a whole number from 1 to 100.';

export const listQuerySchema = z.object({
  // An absent or empty limit means the default page size.
  limit: z.preprocess(
    (value) => (value === undefined || value === '' ? 20 : value),
    z.coerce.number({ error: LIMIT_MESSAGE }).int(LIMIT_MESSAGE).min(1, LIMIT_MESSAGE).max(100, LIMIT_MESSAGE),
  ),
  cursor: z.string().max(512, 'Invalid cursor.').optional(),
});

export type ListQuery = z.output<typeof listQuerySchema>;

/** Fetch one row more than asked: its presence says whether another page exists. */
export function toPage<T>(rows: T[], limit: number, cursorOf: (row: T) => Cursor): Page<T> {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
