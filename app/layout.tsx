import type { Metadata, Viewport } from 'next';
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

/** The document around every page; each area (app/(site), app/admin) brings its own header, main and footer. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
      </body>
    </html>
  );
}
