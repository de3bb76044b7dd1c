import Link from 'next/link';

export default function AdminPostNotFound() {
  return (
    <section className="page-header">
      <h1>Post not found</h1>
      <p className="lede">There is no post with this number. It may have been deleted.</p>
      <p>
        <Link href="/admin/posts">All posts</Link>
      </p>
    </section>
  );
}
