import Link from 'next/link';
import { DraftPreviewHint } from '@/components/author-edit-link';

export default function PostNotFound() {
  return (
    <section className="page-header">
      <h1>Page not found</h1>
      <p className="lede">There is no post at this address. The post may have been moved, unpublished or deleted.</p>
      <DraftPreviewHint />
      <p>
        <Link href="/">Go to the latest posts</Link>
      </p>
    </section>
  );
}
