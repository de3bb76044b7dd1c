/*
 * Deterministic, varied blog content for the benchmark: Markdown posts with headings, lists, code,
 * links and quotes, tags from a fixed pool, reader comments and realistic search queries. The same
 * seed always gives the same blog, so runs on different days compare.
 */

/** mulberry32: small, fast and good enough to vary text. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, int, pick };
}

export type Random = ReturnType<typeof createRandom>;

export const TAG_POOL = [
  'SQLite',
  'Performance',
  'Next.js',
  'TypeScript',
  'React',
  'Node.js',
  'CSS',
  'Accessibility',
  'Testing',
  'Security',
  'Databases',
  'Caching',
  'Search',
  'Markdown',
  'Design',
  'Typography',
  'Writing',
  'Deployment',
  'Linux',
  'Networking',
  'HTTP',
  'Browsers',
  'Rust',
  'Go',
  'Python',
  'Tooling',
  'Open Source',
  'Career',
  'Productivity',
  'Architecture',
  'APIs',
  'Observability',
  'Backups',
  'Privacy',
  'Feeds',
  'SEO',
  'Mobile',
  'Performance Budgets',
  'Compilers',
  'Git',
  'Shell',
  'Containers',
  'Postgres',
  'Algorithms',
  'Data Structures',
  'Concurrency',
  'Memory',
  'Fonts',
  'Colour',
  'Notes',
] as const;

const NOUNS = (
  'database index query cache server client browser request response page post comment reader author feed sitemap ' +
  'search engine table column row transaction journal lock backup migration schema token session cookie header ' +
  'stylesheet layout grid font colour contrast keyboard focus heading paragraph list link image component hook ' +
  'function module package build bundle compiler parser tokenizer stream buffer socket process thread worker queue ' +
  'latency throughput memory budget benchmark profile flame graph histogram percentile error retry timeout deploy ' +
  'release version branch commit review test fixture snapshot mock contract endpoint payload cursor pagination ' +
  'offset keyset shard replica proxy certificate domain router middleware template renderer markup'
).split(' ');
const VERBS = (
  'build render cache index query measure profile ship deploy migrate rewrite refactor test debug stream parse ' +
  'serialise compress validate sanitise paginate shard replicate benchmark optimise simplify document review'
).split(' ');
const ADJECTIVES = (
  'fast slow small large simple careful boring reliable durable readable accessible secure stable concurrent ' +
  'incremental lazy eager cold warm hot stale fresh sorted unique partial complete tiny hidden explicit implicit'
).split(' ');
const FILLER = (
  'the a an this that every each our your its one more less most very quite often rarely always never just only ' +
  'and but so because when while after before until with without into onto from over under about between'
).split(' ');
const LANGUAGES = ['ts', 'sql', 'sh', 'css', 'js', 'json'] as const;
const SITES = [
  'https://www.sqlite.org/docs.html',
  'https://developer.mozilla.org/',
  'https://nodejs.org/api/',
  'https://web.dev/',
  'https://nextjs.org/docs',
];

/** Where a text draws its words from. */
interface Words {
  noun: () => string;
  verb: () => string;
  adjective: () => string;
}

const anyWords = (random: Random): Words => ({
  noun: () => random.pick(NOUNS),
  verb: () => random.pick(VERBS),
  adjective: () => random.pick(ADJECTIVES),
});

/**
 * A post is about something: most of its words come from a dozen of its own, the rest from
 * anywhere. So a search word matches a realistic share of posts instead of nearly all of them.
 */
function focusedWords(random: Random): Words {
  const some = (words: readonly string[], n: number) => Array.from({ length: n }, () => random.pick(words));
  const own = { nouns: some(NOUNS, 10), verbs: some(VERBS, 5), adjectives: some(ADJECTIVES, 5) };
  const either = (mine: string[], all: readonly string[]) => () => random.pick(random.next() < 0.05 ? all : mine);
  return { noun: either(own.nouns, NOUNS), verb: either(own.verbs, VERBS), adjective: either(own.adjectives, ADJECTIVES) };
}

function sentence(random: Random, w: Words, words = random.int(7, 18)): string {
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    const roll = random.next();
    parts.push(roll < 0.35 ? w.noun() : roll < 0.5 ? w.verb() : roll < 0.65 ? w.adjective() : random.pick(FILLER));
  }
  const text = parts.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}${random.pick(['.', '.', '.', '?', '!'])}`;
}

function paragraph(random: Random, w: Words): string {
  const sentences = Array.from({ length: random.int(2, 4) }, () => sentence(random, w));
  // Now and then some inline Markdown: emphasis, code and a link, as real posts have.
  const i = random.int(0, sentences.length - 1);
  const roll = random.next();
  if (roll < 0.25) sentences[i] = sentences[i]!.replace(/^(\S+ \S+)/, '**$1**');
  else if (roll < 0.45) sentences[i] = `${sentences[i]} See [the ${w.noun()} docs](${random.pick(SITES)}).`;
  else if (roll < 0.6) sentences[i] = `${sentences[i]} Call \`${w.verb()}${random.pick(['()', 'Sync()', 'All()'])}\` first.`;
  return sentences.join(' ');
}

function codeBlock(random: Random, w: Words): string {
  const language = random.pick(LANGUAGES);
  const noun = w.noun();
  const lines =
    language === 'sql'
      ? [`SELECT id, ${noun}_at FROM ${noun}s`, `WHERE status = 'published'`, `ORDER BY ${noun}_at DESC LIMIT ${random.int(5, 50)};`]
      : language === 'sh'
        ? [`npm run ${w.verb()}`, `curl -s http://localhost:3000/api/${noun}s | jq '.data[0]'`]
        : language === 'css'
          ? [`.${noun} {`, `  margin-block: ${random.int(1, 4)}rem;`, `  color: var(--fg);`, '}']
          : language === 'json'
            ? ['{', `  "${noun}": ${random.int(1, 999)},`, `  "${w.adjective()}": true`, '}']
            : [
                `export function ${w.verb()}${noun[0]!.toUpperCase()}${noun.slice(1)}(input: string): number {`,
                `  const ${noun} = input.trim();`,
                `  return ${noun}.length * ${random.int(2, 9)};`,
                '}',
              ];
  return ['```' + language, ...lines, '```'].join('\n');
}

function list(random: Random, w: Words): string {
  const ordered = random.next() < 0.4;
  return Array.from(
    { length: random.int(3, 6) },
    (_, i) => `${ordered ? `${i + 1}.` : '-'} ${sentence(random, w, random.int(4, 10))}`,
  ).join('\n');
}

const titleCase = (words: string[]) => words.map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}`).join(' ');

export function postTitle(random: Random): string {
  const noun = random.pick(NOUNS);
  const other = random.pick(NOUNS);
  const patterns = [
    () => `How we ${random.pick(VERBS)} the ${noun} ${other}`,
    () => `${titleCase([random.pick(ADJECTIVES), noun])}s in practice`,
    () => `Notes on ${noun} ${other}s`,
    () => `Why your ${noun} should be ${random.pick(ADJECTIVES)}`,
    () => `A ${random.pick(ADJECTIVES)} guide to ${noun} ${other}s`,
    () => `${titleCase([random.pick(VERBS)])} ${noun}s without ${other}s`,
  ];
  const title = random.pick(patterns)();
  return `${title[0]!.toUpperCase()}${title.slice(1)}`;
}

/** A few hundred words: an intro, two or three sections with lists, code and a quote. */
export function postBody(random: Random): string {
  const w = focusedWords(random);
  const blocks = [paragraph(random, w), paragraph(random, w)];
  const sections = random.int(2, 3);
  for (let s = 0; s < sections; s++) {
    blocks.push(`## ${titleCase([w.adjective(), w.noun()])}`);
    blocks.push(paragraph(random, w));
    const roll = random.next();
    if (roll < 0.4) blocks.push(list(random, w));
    else if (roll < 0.7) blocks.push(codeBlock(random, w));
    else if (roll < 0.8) blocks.push(`> ${sentence(random, w)}`);
    if (random.next() < 0.3) blocks.push(`### ${titleCase([w.noun(), w.noun()])}`);
    blocks.push(paragraph(random, w));
  }
  return blocks.join('\n\n');
}

export function postTags(random: Random): string[] {
  const count = random.int(1, 4);
  const tags = new Set<string>();
  while (tags.size < count) tags.add(random.pick(TAG_POOL));
  return [...tags];
}

const NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Radia',
  'Tim',
  'Frances',
  'Linus',
  'Sophie',
  'Guido',
];

export function commentAuthor(random: Random): string {
  return `${random.pick(NAMES)} ${random.pick(['L.', 'H.', 'T.', 'K.', 'M.', 'R.'])}`;
}

/** One to three sentences; sometimes a link or inline code, never more links than the spam limit. */
export function commentBody(random: Random): string {
  const text = Array.from({ length: random.int(1, 3) }, () => sentence(random, anyWords(random), random.int(6, 16))).join(' ');
  const roll = random.next();
  if (roll < 0.15) return `${text} More in [this ${random.pick(NOUNS)} note](${random.pick(SITES)}).`;
  if (roll < 0.3) return `${text} I use \`${random.pick(VERBS)}()\` for that.`;
  return text;
}

/** What readers type: single words, two words, a prefix being typed, a phrase, an exclusion, a tag. */
export const SEARCH_QUERIES = [
  'sqlite',
  'cache index',
  'latency percentile',
  'data',
  'render',
  '"flame graph"',
  'query -cursor',
  'browser cookie session',
  'benchmark',
  'keyset pagination',
  'performance',
  'stream buffer',
] as const;
