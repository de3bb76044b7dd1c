import type { Metadata } from 'next';
import { TokenManager } from '@/components/admin/token-manager';
import { listApiTokens } from '@/lib/auth/api-tokens';
import { requireAuthor } from '@/lib/auth/current-user';
import { formatDateTime } from '@/lib/site/format';
import { siteTimeZone } from '@/lib/site/identity';

export const metadata: Metadata = { title: 'API tokens', description: 'Tokens for scripts that use the API.' };

export default async function TokensPage() {
  await requireAuthor('/admin/tokens');
  const now = new Date().toISOString();
  const timeZone = await siteTimeZone();
  const tokens = (await listApiTokens()).map((token) => ({
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    createdLabel: formatDateTime(token.createdAt, timeZone),
    lastUsedLabel: token.lastUsedAt ? formatDateTime(token.lastUsedAt, timeZone) : 'Never',
    expiresLabel: token.expiresAt ? `${token.expiresAt <= now ? 'Expired ' : ''}${formatDateTime(token.expiresAt, timeZone)}` : 'Never',
  }));
  return (
    <>
      <h1>API tokens</h1>
      <p>
        Scripts and other programs write posts through the API with a token, sent as <code>Authorization: Bearer &lt;token&gt;</code>. Each
        token acts as you; revoke any you no longer use.
      </p>
      <TokenManager tokens={tokens} />
    </>
  );
}
