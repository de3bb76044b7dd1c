/*
 * What highlighted code looks like in stored HTML, shared by the render workers that write it
 * (lib/render/code-highlighter.ts) and the feeds that take it out again. A leaf: Shiki itself is loaded
 * only inside the workers.
 */

/** Token kinds, each shown in its own colour (app/globals.css, both colour schemes). */
export const CODE_TOKEN_KINDS = [
  'keyword',
  'string',
  'string-expression',
  'comment',
  'constant',
  'function',
  'parameter',
  'punctuation',
  'link',
  'inserted',
  'deleted',
  'changed',
] as const;
export type CodeTokenKind = (typeof CODE_TOKEN_KINDS)[number];

/** Font styles some grammars give (Markdown's emphasis, headings and links). */
export const CODE_FONT_STYLES = ['italic', 'bold', 'underline'] as const;

/** Every class a token's `<span>` may carry: the sanitisers allow these and nothing else on a span. */
export const CODE_TOKEN_CLASSES: readonly string[] = [...CODE_TOKEN_KINDS, ...CODE_FONT_STYLES].map((name) => `tok-${name}`);

/**
 * A token as stringified: one span whose attributes are only token classes and whose content is
 * text (tokens never nest), so a pattern finds exactly these and nothing a writer could make.
 */
const TOKEN_SPAN = /<span class="tok-[a-z]+(?:-[a-z]+)*(?: tok-[a-z]+(?:-[a-z]+)*)*">([^<]*)<\/span>/g;

/**
 * Post HTML with its code as plain `<pre><code>` again, for feeds: readers show no site CSS, and
 * the spans only add weight there.
 */
export function removeCodeHighlighting(html: string): string {
  return html.includes('class="tok-') ? html.replace(TOKEN_SPAN, '$1') : html;
}
