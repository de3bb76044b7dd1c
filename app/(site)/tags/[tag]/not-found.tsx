import Link from 'next/link';

export default function TagNotFound() {
  return (
    <section className="page-header">
      <h1>Tag not found</h1>
      <p className="lede">There is no tag at this address: no published post carries it.</p>
      <p>
        <Link href="/tags">See all tags</Link> · <Link href="/">Go to the latest posts</Link>
      </p>
    </section>
  );
}
