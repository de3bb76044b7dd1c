import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';

const SCHEMAS = { urlset: 'node_modules/sitemap/schema/sitemap.xsd', sitemapindex: 'e2e/schemas/siteindex.xsd' };

/** Validates XML against the sitemaps.org schema with xmllint; throws with xmllint's message if invalid. */
export function validateSitemapXml(xml: string, kind: keyof typeof SCHEMAS): void {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sitemap-')), `${kind}.xml`);
  fs.writeFileSync(file, xml);
  execFileSync('xmllint', ['--noout', '--schema', SCHEMAS[kind], file], { encoding: 'utf8', stdio: 'pipe' });
}

const locs = (xml: string) => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);

/** Reads the index and every shard it names, validating each; answers every URL listed. */
export async function readAllSitemapUrls(request: APIRequestContext): Promise<{ urls: string[]; xml: string[] }> {
  const index = await (await request.get('/sitemap.xml')).text();
  validateSitemapXml(index, 'sitemapindex');
  const urls: string[] = [];
  const xml = [index];
  for (const shard of locs(index)) {
    const response = await request.get(new URL(shard).pathname);
    if (response.status() !== 200) throw new Error(`${shard} answered ${response.status()}`);
    const body = await response.text();
    validateSitemapXml(body, 'urlset');
    urls.push(...locs(body));
    xml.push(body);
  }
  return { urls, xml };
}

/** Whether one of the server's sitemap shards (read with plain fetch, as another machine would) lists `path`. */
export async function isInSitemap(server: string, path: string): Promise<boolean> {
  const index = await (await fetch(`${server}/sitemap.xml`)).text();
  const shards = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => new URL(match[1]!).pathname);
  const listed = await Promise.all(shards.map(async (shard) => (await (await fetch(`${server}${shard}`)).text()).includes(path)));
  return listed.includes(true);
}
