import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getEnv } from '@/lib/env';
import { FEEDS } from '@/lib/seo';
import './globals.css';

export function generateMetadata(): Metadata {
  const { SITE_URL, SITE_NAME, SITE_DESCRIPTION } = getEnv();
  return {
    metadataBase: new URL(SITE_URL),
    title: { default: SITE_NAME, template: `%s · ${SITE_NAME}` },
    description: SITE_DESCRIPTION,
    alternates: { types: FEEDS },
    openGraph: { siteName: SITE_NAME, type: 'website', locale: 'en' },
    twitter: { card: 'summary' },
  };
}

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#fbfbfa' },
    { media: '(prefers-color-scheme: dark)', color: '#121417' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  const { SITE_NAME } = getEnv();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="container site-header-inner">
            <Link href="/" className="site-title">
              {SITE_NAME}
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
            <form role="search" action="/search" className="site-search">
              <label htmlFor="site-search" className="visually-hidden">
                Search posts
              </label>
              <input id="site-search" name="q" type="search" placeholder="Search…" />
              <button type="submit" className="secondary small">
                Search
              </button>
            </form>
          </div>
        </header>
        <main id="main" className="container" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="container">
            <p>
              {SITE_NAME} · Powered by Quire · <a href="/feed.xml">RSS</a> · <a href="/atom.xml">Atom</a> ·{' '}
              <a href="/feed.json">JSON Feed</a> · <a href="/sitemap.xml">Sitemap</a> ·{' '}
              <Link href="/api/docs" prefetch={false}>
                API
              </Link>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}
