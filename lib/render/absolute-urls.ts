import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { urlAttributes } from 'html-url-attributes';

/*
 * Post HTML with every URL absolute, for places that show it away from the post's page (feeds): a
 * feed reader resolves `/posts/x` or `#fn-1` against its own address, or not at all. The stored
 * fragment is parsed as a browser would (parse5, through hast), the URL attributes are resolved
 * against the post's address, and the tree is written out again; no pattern reads the markup.
 */

/**
 * Attributes that hold one URL (ping: several, space-separated), by hast property name, with the
 * elements they belong to (null: any): html-url-attributes' list, plus the obsolete longdesc that
 * the post sanitiser still lets through on images.
 */
const URL_PROPERTIES: Record<string, readonly string[] | null> = { ...urlAttributes, longDesc: ['img', 'frame', 'iframe'] };
/** Elements whose srcset lists image candidates: a URL, then descriptors. */
const SRCSET_ELEMENTS = new Set(['img', 'source']);

/** A URL as the post's page would resolve it; one already absolute (https:, mailto:, data:) is left as written. */
function resolve(value: string, base: URL): string {
  if (URL.canParse(value)) return value;
  return URL.canParse(value, base) ? new URL(value, base).href : value;
}

const isSpace = (char: string | undefined) => char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r';

/**
 * A srcset with each candidate's URL resolved and its descriptors kept as written. Candidates are
 * split as HTML's "parse a srcset attribute" does: the URL runs to the first whitespace (a URL may
 * hold commas, except at its end), its descriptors to the next comma outside parentheses.
 */
function resolveSrcset(value: string, base: URL): string {
  const candidates: string[] = [];
  let position = 0;
  while (position < value.length) {
    while (isSpace(value[position]) || value[position] === ',') position++;
    if (position >= value.length) break;
    const start = position;
    while (position < value.length && !isSpace(value[position])) position++;
    let url = value.slice(start, position);
    let descriptors = '';
    if (url.endsWith(',')) {
      while (url.endsWith(',')) url = url.slice(0, -1);
    } else {
      const from = position;
      let inParentheses = false;
      for (; position < value.length; position++) {
        const char = value[position];
        if (char === '(') inParentheses = true;
        else if (char === ')') inParentheses = false;
        else if (char === ',' && !inParentheses) break;
      }
      descriptors = value.slice(from, position).trim();
      position++;
    }
    candidates.push(descriptors ? `${resolve(url, base)} ${descriptors}` : resolve(url, base));
  }
  return candidates.join(', ');
}

function resolveElement(element: Element, base: URL): void {
  const { properties } = element;
  for (const [name, value] of Object.entries(properties)) {
    const elements = URL_PROPERTIES[name];
    if (elements === undefined || (elements !== null && !elements.includes(element.tagName))) continue;
    if (typeof value === 'string') properties[name] = resolve(value, base);
    else if (Array.isArray(value)) properties[name] = value.map((item) => resolve(String(item), base));
  }
  if (SRCSET_ELEMENTS.has(element.tagName) && properties.srcSet !== undefined) {
    const srcset = properties.srcSet;
    properties.srcSet = resolveSrcset(Array.isArray(srcset) ? srcset.join(',') : String(srcset), base);
  }
}

/**
 * An HTML fragment with every URL in its attributes absolute against `base` (the post's own
 * address, so `#fn-1` goes to the note on its page and `/posts/x` to this site).
 */
export function absoluteUrlsIn(html: string, base: string): string {
  const baseUrl = new URL(base);
  const tree = fromHtml(html, { fragment: true });
  // Depth first with a stack of our own: a deeply nested post must not overflow the call stack.
  const pending: (Root | Element)[] = [tree];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.type === 'element') {
      resolveElement(node, baseUrl);
      if (node.content) pending.push(node.content);
    }
    for (const child of node.children) if (child.type === 'element') pending.push(child);
  }
  return toHtml(tree);
}
