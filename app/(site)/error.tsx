'use client';

import { ErrorMessage } from '@/components/error-message';

/** Shown when rendering a reader's page fails, inside the site's header and footer. */
export default function SiteErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorMessage reset={reset} home={{ href: '/', label: 'Go to the latest posts' }} />;
}
