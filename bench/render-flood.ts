/*
 * Issue 23, item 1, replayed against the render workers themselves (lib/render/markdown.ts, real worker
 * threads, no HTTP): 11 addresses of one /64 keep 16 slow comments in flight (a ```sh block of five
 * lines of 985 `<`), each address within its rate limit of 6 comments and 6 edits a minute, while
 * other readers comment four times a second and the author saves a post every second. Prints the
 * latency of the others' renders. `npx tsx bench/render-flood.ts [seconds] [--one-key] [--adaptive]
 * [--no-attack]`: --one-key keys the attack by its /64, as the rate limit does once it keys IPv6 by
 * prefix; --adaptive sends lines of `<` just under a comment's line limit instead (the costliest
 * comment found for the bounded highlighter); --no-attack measures the others alone.
 */
import { performance } from 'node:perf_hooks';
import { HIGHLIGHT_LIMITS } from '@/lib/render/code-highlighter';
import { closeMarkdownWorkers, renderCommentMarkdown, renderPostMarkdown } from '@/lib/render/markdown';

const seconds = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 45);
const oneKey = process.argv.includes('--one-key');
const adaptive = process.argv.includes('--adaptive');
const attackers = process.argv.includes('--no-attack') ? 0 : 16;
/** Lines just under a comment's line limit cost the most a comment can, until its deadline. */
const lineLength = adaptive ? HIGHLIGHT_LIMITS.lineLength.comment - 1 : 985;
const PAYLOAD = `\`\`\`sh\n${Array.from({ length: Math.floor(4_939 / (lineLength + 1)) }, () => '<'.repeat(lineLength)).join('\n')}\n\`\`\``;
const COMMENT = 'Thanks, this helped! I ran\n\n```ts\nconst answer = await compute("forty-two", 42);\n```\n\nand it *works*.';
const POST = `# Notes\n\n${'Some prose with a [link](https://example.com) and *emphasis*.\n\n'.repeat(40)}\`\`\`ts\n${'export const x: number = f("a", 1); // why\n'.repeat(40)}\`\`\``;
const ATTACKERS = Array.from({ length: 11 }, (_, i) => `2001:db8:1:1::${(i + 1).toString(16)}`);
/** Renders each address may cause in the window (6 comments and 6 edits a minute; the attack is shorter). */
const PER_ADDRESS = 12;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = performance.now() + seconds * 1_000;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? NaN;

interface Tally {
  ms: number[];
  refused: number;
  failed: number;
}
const tally = (): Tally => ({ ms: [], refused: 0, failed: 0 });
const attack = tally();
const readers = tally();
const author = tally();

async function timed(into: Tally, render: () => Promise<string>): Promise<void> {
  const started = performance.now();
  try {
    await render();
    into.ms.push(performance.now() - started);
  } catch (error) {
    if ((error as { status?: number }).status === 503) into.refused++;
    else into.failed++;
  }
}

// Workers loaded and every grammar used compiled, as on a server that has been up a while.
await renderPostMarkdown(POST);
await renderCommentMarkdown(COMMENT);

const used = new Map(ATTACKERS.map((address) => [address, 0]));
async function attacker(): Promise<void> {
  while (performance.now() < until) {
    const address = ATTACKERS.find((candidate) => used.get(candidate)! < PER_ADDRESS);
    // Every address is over its limit: the server answers 429 before rendering anything.
    if (!address) {
      await sleep(50);
      continue;
    }
    used.set(address, used.get(address)! + 1);
    await timed(attack, () => renderCommentMarkdown(PAYLOAD, oneKey ? '2001:db8:1:1::/64' : address));
  }
}

async function every(ms: number, into: Tally, render: (n: number) => Promise<string>): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let n = 0; performance.now() < until; n++) {
    pending.push(timed(into, () => render(n)));
    await sleep(ms);
  }
  await Promise.all(pending);
}

await Promise.all([
  ...Array.from({ length: attackers }, attacker),
  every(250, readers, (n) => renderCommentMarkdown(`${COMMENT} (${n})`, `198.51.100.${n % 250}`)),
  every(1_000, author, (n) => renderPostMarkdown(`${POST}\n\nEdit ${n}.`)),
]);
await closeMarkdownWorkers();

const line = (name: string, { ms, refused, failed }: Tally) =>
  `${name.padEnd(16)} ${String(ms.length).padStart(4)} rendered  p50 ${percentile(ms, 50).toFixed(0).padStart(6)} ms  p99 ${percentile(
    ms,
    99,
  )
    .toFixed(0)
    .padStart(6)} ms  max ${Math.max(...ms)
    .toFixed(0)
    .padStart(6)} ms  503 ${refused}  other errors ${failed}`;
console.log(
  `${seconds} s, ${attackers ? `${adaptive ? 'adaptive ' : ''}attack keyed ${oneKey ? 'by its /64' : 'by address'}` : 'no attack'}`,
);
console.log(line('attack comments', attack));
console.log(line('other readers', readers));
console.log(line('author saves', author));
