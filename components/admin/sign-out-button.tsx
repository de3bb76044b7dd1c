'use client';

import { useRouter } from 'next/navigation';
import { callApi } from '@/components/api-client';

export function SignOutButton() {
  const router = useRouter();
  async function signOut() {
    await callApi('DELETE', '/api/session');
    router.replace('/admin/sign-in?signedOut=1');
    router.refresh();
  }
  return (
    <button type="button" className="link-button" onClick={signOut}>
      Sign out
    </button>
  );
}
