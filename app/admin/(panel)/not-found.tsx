import Link from 'next/link';

export default function AdminNotFound() {
  return (
    <section className="page-header">
      <h1>Page not found</h1>
      <p className="lede">There is nothing at this address in the admin.</p>
      <p>
        <Link href="/admin/posts">All posts</Link>
      </p>
    </section>
  );
}
