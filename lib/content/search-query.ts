/*
 * What a reader typed, read once for both search engines (SQLite's FTS5 in lib/content/search.ts,
 * PostgreSQL's in lib/content/search-postgres.ts).
 */

export interface ParsedQuery {
  /** "Quoted phrases" and words, each quoted so that AND, OR, NOT, *, ( and " are only ever text. */
  positive: string[];
  /** Words after a minus. */
  excluded: string[];
  /** The last word, when it is still being typed (no space or quote after it): it matches as a prefix. */
  prefix: string | null;
}

export function parseQuery(input: string): ParsedQuery {
  const phrases: string[] = [];
  const excluded: string[] = [];
  const text = input.replace(/"([^"]*)"/g, (_match, phrase: string) => {
    const words = phrase.match(/[\p{L}\p{N}]+/gu);
    if (words) phrases.push(`"${words.join(' ')}"`);
    return ' ';
  });
  const parts = text.split(/\s+/).filter(Boolean);
  const words: string[] = [];
  let prefix: string | null = null;
  parts.forEach((part, index) => {
    const tokens = part.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (tokens.length === 0) return;
    if (part.startsWith('-') && tokens.length === 1) return void excluded.push(`"${tokens[0]}"`);
    const isLast = index === parts.length - 1 && !/\s$/.test(input) && !input.trimEnd().endsWith('"');
    tokens.forEach((token, i) => {
      if (isLast && i === tokens.length - 1) prefix = `"${token}"`;
      else words.push(`"${token}"`);
    });
  });
  return { positive: [...phrases, ...words], excluded, prefix };
}

// Control characters mark matches in the snippets of both engines, so the text can be escaped before the marks become HTML.
export const OPEN = '\u0002';
export const CLOSE = '\u0003';
