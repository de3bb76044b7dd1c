import Link from 'next/link';
import type { ReactNode } from 'react';
import { HeaderSearch } from '@/components/header-search';
import { getSiteIdentity } from '@/lib/site/identity';
import type { NavLink } from '@/lib/site/schemas';

/** A navigation link from Site settings: pages of this site go through the router, others are plain links. */
function NavItem({ link }: { link: NavLink }) {
  // Not prefetched: on every page of a phone's visit, the menu's targets would load whether read or not.
  return link.href.startsWith('/') ? (
    <Link href={link.href} prefetch={false}>
      {link.label}
    </Link>
  ) : (
    <a href={link.href}>{link.label}</a>
  );
}

/** The reader's header: the blog's logo or name, its navigation (Site settings) and the search box. */
export async function SiteHeader() {
  const { name, logo, navigation } = await getSiteIdentity();
  return (
    <header className="site-header">
      <div className="container site-header-inner">
        <Link href="/" className="site-title" prefetch={false}>
          {logo ? (
            // Shown at half its stored size, so it stays sharp on high-density screens; it was resized and
            // re-encoded when uploaded, so a plain <img> with its size is all it needs.
            // eslint-disable-next-line @next/next/no-img-element
            <img src={logo.url} alt={name} width={Math.round(logo.width / 2)} height={Math.round(logo.height / 2)} className="site-logo" />
          ) : (
            name
          )}
        </Link>
        {navigation.length > 0 && (
          <nav aria-label="Site">
            <ul className="site-nav">
              {navigation.map((link) => (
                <li key={`${link.href} ${link.label}`}>
                  <NavItem link={link} />
                </li>
              ))}
            </ul>
          </nav>
        )}
        <HeaderSearch />
      </div>
    </header>
  );
}

const poweredBy = (name: string) => (name === 'Quire' ? 'Powered by Quire' : `${name} · Powered by Quire`);

/** The feeds for readers; the sitemap and the API, for machines and their authors, on a smaller line. */
export async function SiteFooter() {
  const { name } = await getSiteIdentity();
  return (
    <footer className="site-footer">
      <div className="container">
        <p>
          {poweredBy(name)} · <a href="/feed.xml">RSS</a> · <a href="/atom.xml">Atom</a> · <a href="/feed.json">JSON Feed</a>
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
