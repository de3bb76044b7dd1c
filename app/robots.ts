import type { MetadataRoute } from 'next';
import { absoluteUrl } from '@/lib/site/absolute-url';

// SITE_URL is read when the server runs, not when it is built.
export const dynamic = 'force-dynamic';

export default function robots(): MetadataRoute.Robots {
  return {
    rules: { userAgent: '*', allow: '/', disallow: ['/api/', '/admin'] },
    sitemap: absoluteUrl('/sitemap.xml'),
  };
}
