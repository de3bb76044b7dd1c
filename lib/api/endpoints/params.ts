import { notFound } from '@/lib/errors';
import { parseId } from '@/lib/http/body';
import { isSlug } from '@/lib/slug';

/* Path parameters: a value that cannot name anything is a 404, the same as one that names nothing. */

export const slugOf = (what: string) => (value: string) => {
  if (!isSlug(value)) throw notFound(what);
  return value;
};

export const idOf = (what: string) => (value: string) => parseId(value, what);

export const oneOf =
  <T extends string>(values: readonly T[], what: string) =>
  (value: string): T => {
    if (!(values as readonly string[]).includes(value)) throw notFound(what);
    return value as T;
  };
