'use client';

import { ErrorMessage } from '@/components/error-message';

/** Shown when rendering an admin page fails, inside the admin's header. */
export default function AdminErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorMessage reset={reset} home={{ href: '/admin/posts', label: 'Go to your posts' }} />;
}
