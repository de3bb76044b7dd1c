import Link from 'next/link';
import type { ReactNode } from 'react';
import { HeaderSearch } from '@/components/header-search';
import { getEnv } from '@/lib/env';

/** The reader's header: the blog's name, its sections and the search box. */
export function SiteHeader() {
  return (
    <header className="site-header">
      <div className="container site-header-inner">
        <Link href="/" className="site-title">
          {getEnv().SITE_NAME}
        </Link>
        <nav aria-label="Site">
          <ul className="site-nav">
            <li>
              <Link href="/">Posts</Link>
            </li>
            <li>
              <Link href="/tags">Tags</Link>
            </li>
          </ul>
        </nav>
        <HeaderSearch />
      </div>
    </header>
  );
}

/** The feeds for readers; the sitemap and the API, for machines and their authors, on a smaller line. */
export function SiteFooter() {
  return (
    <footer className="site-footer">
      <div className="container">
        <p>
          {getEnv().SITE_NAME} · Powered by Quire · <a href="/feed.xml">RSS</a> · <a href="/atom.xml">Atom</a> ·{' '}
          <a href="/feed.json">JSON Feed</a>
        </p>
        <p className="site-footer-secondary">
          <a href="/sitemap.xml">Sitemap</a> ·{' '}
          <Link href="/api/docs" prefetch={false}>
            API
          </Link>
        </p>
      </div>
    </footer>
  );
}

/** A reader's page: header, the page's content as the main landmark, footer. */
export function SiteShell({ children }: { children: ReactNode }) {
  return (
    <>
      <SiteHeader />
      <main id="main" className="container" tabIndex={-1}>
        {children}
      </main>
      <SiteFooter />
    </>
  );
}
