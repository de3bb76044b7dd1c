import type { SQL } from 'drizzle-orm';
import type { SearchResult } from '@/lib/content/schemas';

/*
 * What both search engines (sqlite.ts and postgres.ts beside this file) share: what a reader typed,
 * read once, and the contract each keeps.
 */

export interface ParsedQuery {
  /** "Quoted phrases" and words, each quoted so that AND, OR, NOT, *, ( and " are only ever text. */
  positive: string[];
  /** Words after a minus. */
  excluded: string[];
  /** The last word, when it is still being typed (no space or quote after it): it matches as a prefix. */
  prefix: string | null;
}

/** Whether the query has anything to look for: a query of symbols only matches nothing. */
export const hasWords = ({ positive, prefix }: ParsedQuery) => positive.length > 0 || prefix !== null;

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

/** A result row as an engine returns it; index.ts adds its URL and makes the snippet HTML. */
export type SearchRow = Omit<SearchResult, 'url' | 'snippet'> & { bodySnippet: string | null; summarySnippet: string | null };

/** What each database's search does; index.ts chooses one by dialect, and passes only queries that have words. */
export interface SearchEngine {
  /** Writes one post's searchable text, inside the transaction that changes the post or its tags (see index.ts). */
  indexPost(postId: number, bodyText?: string): Promise<void>;
  isIndexed(postId: number): Promise<boolean>;
  /** Posts missing from the index. */
  missingPosts(): Promise<number[]>;
  /** The author's search (drafts included): the ids of matching posts, for `posts.id IN (...)`. */
  matchingPostIds(parsed: ParsedQuery): SQL;
  /** Live posts matching, best first, one page of them with snippets marked by OPEN and CLOSE. */
  searchPosts(parsed: ParsedQuery, page: { limit: number; offset: number }): Promise<SearchRow[]>;
}
