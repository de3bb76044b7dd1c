import type { ReactNode } from 'react';
import { SiteShell } from '@/components/site-chrome';

// The API's documentation lives under /api beside the API itself, but reads as one of the site's pages.
export default function ApiDocsLayout({ children }: { children: ReactNode }) {
  return <SiteShell>{children}</SiteShell>;
}
