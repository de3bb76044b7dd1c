import type { ElementContent } from 'hast';
import { performance } from 'node:perf_hooks';
import {
  type GrammarState,
  type HighlighterCore,
  type LanguageRegistration,
  type ThemedToken,
  createCssVariablesTheme,
  createHighlighterCoreSync,
} from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import css from 'shiki/langs/css.mjs';
import diff from 'shiki/langs/diff.mjs';
import docker from 'shiki/langs/docker.mjs';
import go from 'shiki/langs/go.mjs';
import html from 'shiki/langs/html.mjs';
import ini from 'shiki/langs/ini.mjs';
import javascript from 'shiki/langs/javascript.mjs';
import json from 'shiki/langs/json.mjs';
import jsx from 'shiki/langs/jsx.mjs';
import markdown from 'shiki/langs/markdown.mjs';
import python from 'shiki/langs/python.mjs';
import rust from 'shiki/langs/rust.mjs';
import shellscript from 'shiki/langs/shellscript.mjs';
import shellsession from 'shiki/langs/shellsession.mjs';
import sql from 'shiki/langs/sql.mjs';
import toml from 'shiki/langs/toml.mjs';
import tsx from 'shiki/langs/tsx.mjs';
import typescript from 'shiki/langs/typescript.mjs';
import xml from 'shiki/langs/xml.mjs';
import yaml from 'shiki/langs/yaml.mjs';
import { CODE_TOKEN_KINDS, type CodeTokenKind } from '@/lib/render/code-highlight';

/*
 * Syntax highlighting for fenced code, done once in the render workers (lib/render/markdown-pipeline.ts),
 * so pages carry coloured code and no script. Shiki tokenises with TextMate grammars; its
 * CSS-variables theme names each token's kind, which becomes a class (`tok-keyword`) that
 * app/globals.css colours for the light and the dark scheme. No style attribute is ever written,
 * so the sanitisers allow a fixed list of classes on `<span>` and nothing else.
 *
 * Only the grammars below are bundled (about 1 MB, parsed when a worker starts); each is compiled
 * the first time a block uses it. The JavaScript regex engine keeps the pipeline synchronous
 * (Oniguruma's would need its WebAssembly loaded asynchronously).
 */

/** Each language with the ones it embeds (HTML: JavaScript and CSS), as Shiki's modules export them. */
const GRAMMARS: LanguageRegistration[][] = [
  typescript,
  tsx,
  javascript,
  jsx,
  json,
  css,
  html,
  xml,
  sql,
  shellscript,
  shellsession,
  diff,
  yaml,
  toml,
  ini,
  docker,
  markdown,
  python,
  go,
  rust,
];

/** A fence's language in lower case (its name or an alias: `ts`, `sh`, `yml` ...) to what its grammar needs. */
const GRAMMAR_BY_NAME = new Map(
  GRAMMARS.flatMap((grammar) => {
    const language = grammar.at(-1)!;
    return [language.name, ...(language.aliases ?? [])].map((name) => [name.toLowerCase(), grammar] as const);
  }),
);

/** Every language name a fence may give for its code to be highlighted. */
export const HIGHLIGHTED_LANGUAGES: ReadonlySet<string> = new Set(GRAMMAR_BY_NAME.keys());

const THEME = createCssVariablesTheme({ name: 'quire-code', variablePrefix: '--shiki-', fontStyle: true });

/**
 * How much highlighting one document gets. Characters: an API post is 60,000 at most, so every
 * post can be highlighted whole, and longer text (a script, an import) costs no more. Lines this
 * long or longer stay plain: one regular expression match cannot be stopped, and the JavaScript
 * engine's time for one line grows up to the cube of its length (985 `<` as shell took 0.35 s, 500 of
 * them 47 ms, 200 of them 5-20 ms; 200,000 characters of other code on one line ran for minutes).
 * Readers' comments get the shorter lines: what one line costs is what a comment may run past its
 * deadline, while the worker is busy for everyone. The deadline (the caller's) is read before every
 * line: code left when it passes stays plain, so the render keeps inside its limit.
 */
export const HIGHLIGHT_LIMITS = { characters: 60_000, lineLength: { post: 1_000, comment: 200 } } as const;

export interface HighlightBudget {
  characters: number;
  /** A performance.now() time. */
  deadline: number;
  /** Lines this long or longer stay plain. */
  lineLength: number;
}

/** The budget for one document of `kind`: HIGHLIGHT_LIMITS' characters and line length, until `deadline` (a performance.now() time). */
export const highlightBudget = (kind: 'post' | 'comment', deadline: number): HighlightBudget => ({
  characters: HIGHLIGHT_LIMITS.characters,
  deadline,
  lineLength: HIGHLIGHT_LIMITS.lineLength[kind],
});

/*
 * Created on the first block that needs it, once per worker, with every grammar: Markdown and
 * shell sessions highlight the languages they embed only when those are loaded, so loading on
 * demand would colour the same text differently from one render to the next. Each grammar is
 * still compiled on its first use.
 */
let highlighter: HighlighterCore | undefined;
function getHighlighter(): HighlighterCore {
  highlighter ??= createHighlighterCoreSync({
    themes: [THEME],
    langs: [...new Set(GRAMMARS.flat())],
    // Forgiving: a pattern the engine cannot translate is skipped rather than failing the grammar.
    engine: createJavaScriptRegexEngine({ forgiving: true }),
  });
  return highlighter;
}

const KINDS: ReadonlySet<string> = new Set(CODE_TOKEN_KINDS);
const TOKEN_VARIABLE = /^var\(--shiki-token-([a-z-]+)\)$/;
// TextMate's FontStyle bits.
const FONT_STYLES = [
  [1, 'tok-italic'],
  [2, 'tok-bold'],
  [4, 'tok-underline'],
] as const;

function classesOf(token: ThemedToken): string[] {
  const kind = TOKEN_VARIABLE.exec(token.color ?? '')?.[1];
  const classes = kind && KINDS.has(kind) ? [`tok-${kind as CodeTokenKind}`] : [];
  for (const [bit, name] of FONT_STYLES) if ((token.fontStyle ?? 0) & bit) classes.push(name);
  return classes;
}

/** The grammars this worker has tokenised with (see tokenise). */
const usedGrammars = new Set<string>();

interface Run {
  start: number;
  end: number;
  classes: string[];
}

/**
 * Tokenises `code` a line at a time, carrying the grammar's state across, until the deadline:
 * runs of coloured text by offset into `code`, adjacent runs of the same classes merged.
 */
function tokenise(code: string, grammar: LanguageRegistration[], budget: HighlightBudget): Run[] {
  const started = performance.now();
  const shiki = getHighlighter();
  const lang = grammar.at(-1)!.name;
  const firstUse = !usedGrammars.has(lang);
  const runs: Run[] = [];
  let state: GrammarState | undefined;
  let base = 0;
  // One line a call (Shiki's own overhead per call is microseconds): a chunk of lines ran past the
  // deadline by as much as its lines cost together.
  for (const line of code.split('\n')) {
    // (The first line of a first use is the compilation: highlightCode read the deadline before it.)
    if (!(firstUse && base === 0) && performance.now() >= budget.deadline) break;
    const tokens = shiki.codeToTokensBase(line, {
      lang,
      theme: THEME.name,
      grammarState: state,
      tokenizeMaxLineLength: budget.lineLength,
      // No limit per line: Shiki's (0.5 s) also counts a grammar's first compilation, and a worker's
      // first block came out half coloured; and it is read between matches, so it never stops the
      // one slow match a crafted line makes. The deadline and the line length bound the time instead.
      tokenizeTimeLimit: 0,
    });
    state = shiki.getLastGrammarState(tokens);
    if (firstUse && base === 0) {
      // A worker's first line in a grammar also builds the highlighter and compiles the grammar's
      // main rules (350 ms for TypeScript): the worker's cost, paid once, not the document's, so it
      // moves the deadline. Under load a post's later blocks came out plain. The line is bounded by
      // the line length, so the credit is too.
      usedGrammars.add(lang);
      budget.deadline += performance.now() - started;
    }
    for (const token of tokens.flat()) {
      const classes = classesOf(token);
      // Whitespace looks the same in any colour (unless underlined).
      if (classes.length === 0 || (/^\s*$/.test(token.content) && !classes.includes('tok-underline'))) continue;
      const start = base + token.offset;
      const last = runs.at(-1);
      if (last && last.end === start && last.classes.join(' ') === classes.join(' ')) last.end += token.content.length;
      else runs.push({ start, end: start + token.content.length, classes });
    }
    base += line.length + 1;
  }
  return runs;
}

/**
 * The children of a `<code>` element showing `code` highlighted as `lang` (a fence's language,
 * any case): text, and a `<span class="tok-…">` per coloured run. Undefined, for the caller to
 * leave the block plain, when the language is not one of HIGHLIGHTED_LANGUAGES, the budget is
 * spent, or highlighting fails (a block is never worth failing a post for). The text is kept
 * exactly: every character of `code` is in the result once, in order.
 */
export function highlightCode(code: string, lang: string, budget: HighlightBudget): ElementContent[] | undefined {
  const grammar = GRAMMAR_BY_NAME.get(lang.toLowerCase());
  if (!grammar || code.length > budget.characters || performance.now() >= budget.deadline) return undefined;
  budget.characters -= code.length;
  let runs: Run[];
  try {
    runs = tokenise(code, grammar, budget);
  } catch (error) {
    console.error(`Quire: highlighting a ${lang} code block failed; it stays plain.`, error);
    return undefined;
  }
  const children: ElementContent[] = [];
  let at = 0;
  for (const { start, end, classes } of runs) {
    if (start > at) children.push({ type: 'text', value: code.slice(at, start) });
    children.push({
      type: 'element',
      tagName: 'span',
      properties: { className: classes },
      children: [{ type: 'text', value: code.slice(start, end) }],
    });
    at = end;
  }
  if (at < code.length) children.push({ type: 'text', value: code.slice(at) });
  return children;
}
