'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';

export interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  createdLabel: string;
  lastUsedLabel: string;
}

/** Create (shown once) and revoke API tokens for scripts. */
export function TokenManager({ tokens }: { tokens: TokenRow[] }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = new FormData(form).get('name');
    setBusy(true);
    const result = await callApi<{ name: string; token: string }>('POST', '/api/admin/tokens', { name });
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    setCreated(result.data);
    form.reset();
    router.refresh();
  }

  async function revoke(token: TokenRow) {
    if (!window.confirm(`Revoke “${token.name}”? Scripts using it stop working at once.`)) return;
    const result = await callApi('DELETE', `/api/admin/tokens/${token.id}`);
    if (!result.ok) return setErrors(result.errors);
    router.refresh();
  }

  return (
    <>
      <form className="inline-form" onSubmit={create} noValidate>
        <FormError message={errors.form} />
        <Field id="token-name" label="New token’s name" hint="What uses it, e.g. “Deploy script”." error={errors.name}>
          <input type="text" {...controlProps('token-name', errors.name, 'hint')} name="name" maxLength={80} required />
        </Field>
        <button type="submit" disabled={busy}>
          Create token
        </button>
      </form>
      {created && (
        <div className="callout" role="status">
          <p>
            <strong>Copy the token “{created.name}” now.</strong> It is shown only this once.
          </p>
          <label htmlFor="new-token">Token</label>
          <input type="text" id="new-token" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
          <p className="hint">
            Send it as <code>Authorization: Bearer {created.token.slice(0, 12)}…</code>
          </p>
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="empty">No API tokens yet.</p>
      ) : (
        <table className="admin-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>{token.createdLabel}</td>
                <td>{token.lastUsedLabel}</td>
                <td>
                  <button type="button" className="danger small" onClick={() => revoke(token)} aria-label={`Revoke ${token.name}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
