'use client';

import { ErrorMessage } from '@/components/error-message';

/**
 * Shown when a layout below the root fails (pages fail inside their area's own boundary, with its
 * header): only the message, in the main landmark the skip link leads to.
 */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main" className="container" tabIndex={-1}>
      <ErrorMessage reset={reset} home={{ href: '/', label: 'Go to the latest posts' }} />
    </main>
  );
}
