import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { getEnv } from '@/lib/env';
import { FEEDS } from '@/lib/content/seo';
import { DEFAULT_ICON } from '@/lib/site/assets';
import { accentCss, getSiteIdentity } from '@/lib/site/identity';
import type { SiteIdentity } from '@/lib/site/schemas';
import './globals.css';

/** The icon from Site settings, or Quire's own (in public/). */
function icons({ icon, favicon }: SiteIdentity): Metadata['icons'] {
  if (icon && favicon) {
    return {
      icon: [{ url: favicon.url, type: 'image/png', sizes: `${favicon.width}x${favicon.height}` }],
      apple: [{ url: icon.url, type: 'image/png', sizes: `${icon.width}x${icon.height}` }],
    };
  }
  return {
    icon: [
      { url: '/favicon.ico', sizes: '32x32' },
      { url: '/icon.svg', type: 'image/svg+xml' },
    ],
    apple: [{ url: DEFAULT_ICON.url, type: DEFAULT_ICON.contentType, sizes: `${DEFAULT_ICON.width}x${DEFAULT_ICON.height}` }],
  };
}

export async function generateMetadata(): Promise<Metadata> {
  const identity = await getSiteIdentity();
  return {
    metadataBase: new URL(getEnv().SITE_URL),
    title: { default: identity.name, template: `%s · ${identity.name}` },
    description: identity.description,
    alternates: { types: FEEDS },
    openGraph: { siteName: identity.name, type: 'website', locale: 'en' },
    twitter: { card: 'summary' },
    icons: icons(identity),
  };
}

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#fbfbfa' },
    { media: '(prefers-color-scheme: dark)', color: '#121417' },
  ],
};

/** The document around every page; each area (app/(site), app/admin) brings its own header, main and footer. */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const accent = accentCss((await getSiteIdentity()).accentColor);
  return (
    <html lang="en">
      {/* The accent colour from Site settings, over the stylesheet's default. */}
      {accent && (
        <head>
          <style>{accent}</style>
        </head>
      )}
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}
