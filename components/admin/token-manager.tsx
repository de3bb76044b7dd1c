'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useRef, useState } from 'react';
import { Field, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';
import type { ApiToken, CreatedApiToken } from '@/lib/auth/schemas';

/** A token as listed, its times already written out in the site's zone. */
export type TokenRow = Pick<ApiToken, 'id' | 'name' | 'prefix'> & { createdLabel: string; lastUsedLabel: string; expiresLabel: string };

/** What the expiry menu offers, in days; empty means never. */
const EXPIRY_CHOICES = [
  ['30', '30 days'],
  ['90', '90 days'],
  ['365', '1 year'],
  ['', 'Never'],
] as const;

/** The keys that copy a selection, named as the author's keyboard names them. */
const copyShortcut = () => (/Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘C' : 'Ctrl+C');

/** Create (shown once) and revoke API tokens for scripts. */
export function TokenManager({ tokens }: { tokens: TokenRow[] }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<Pick<CreatedApiToken, 'id' | 'name' | 'token'> | null>(null);
  const [copyState, setCopyState] = useState<'' | 'copied' | 'selected'>('');
  const [announcement, setAnnouncement] = useState('');
  const [busy, setBusy] = useState(false);
  const tokenInput = useRef<HTMLInputElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const expiresInDays = data.get('expiresInDays');
    setBusy(true);
    const result = await callApi<CreatedApiToken>('POST', '/api/admin/tokens', {
      name: data.get('name'),
      expiresInDays: expiresInDays ? Number(expiresInDays) : null,
    });
    setBusy(false);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    setCreated(result.data);
    setCopyState('');
    setAnnouncement(`Token “${result.data.name}” created. Copy it now: it is shown only this once.`);
    form.reset();
    router.refresh();
  }

  /** To the clipboard where the browser allows it; otherwise the token is selected for the author to copy. */
  async function copy() {
    const input = tokenInput.current;
    if (!created || !input) return;
    try {
      if (!navigator.clipboard) throw new Error('No clipboard');
      await navigator.clipboard.writeText(created.token);
      setCopyState('copied');
    } catch {
      input.focus();
      input.setSelectionRange(0, input.value.length);
      setCopyState('selected');
    }
  }

  /** The token leaves the screen; the name field is where the author is likely to go next. */
  function dismiss() {
    setCreated(null);
    setCopyState('');
    nameInput.current?.focus();
  }

  async function revoke(token: TokenRow) {
    if (!window.confirm(`Revoke “${token.name}”? Scripts using it stop working at once.`)) return;
    const result = await callApi('DELETE', `/api/admin/tokens/${token.id}`);
    if (!result.ok) return setErrors(result.errors);
    // A revoked token is worthless: it leaves the screen too.
    if (created?.id === token.id) {
      setCreated(null);
      setCopyState('');
    }
    setAnnouncement(`Token “${token.name}” revoked.`);
    router.refresh();
  }

  return (
    <>
      <form className="inline-form" onSubmit={create} noValidate>
        <FormError message={errors.form} />
        <Field id="token-name" label="New token’s name" hint="What uses it, e.g. “Deploy script”." error={errors.name}>
          <input ref={nameInput} type="text" {...controlProps('token-name', errors.name, 'hint')} name="name" maxLength={80} required />
        </Field>
        <Field id="token-expires" label="Expires after" error={errors.expiresInDays}>
          <select {...controlProps('token-expires', errors.expiresInDays)} name="expiresInDays" defaultValue="90">
            {EXPIRY_CHOICES.map(([value, label]) => (
              <option key={label} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={busy}>
          Create token
        </button>
      </form>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
      {created && (
        <div className="callout new-token">
          <p>
            <strong>Copy the token “{created.name}” now.</strong> It is shown only this once.
          </p>
          <label htmlFor="new-token">Token</label>
          <div className="copy-row">
            <input
              ref={tokenInput}
              type="text"
              id="new-token"
              readOnly
              value={created.token}
              onFocus={(e) => e.currentTarget.select()}
              spellCheck={false}
            />
            <button type="button" className="secondary" onClick={copy}>
              Copy
            </button>
          </div>
          <p className="copy-status" role="status">
            {copyState === 'copied' && (
              <>
                <span aria-hidden="true">✓ </span>Copied to the clipboard.
              </>
            )}
            {copyState === 'selected' && `The token is selected: press ${copyShortcut()} to copy it.`}
          </p>
          <p className="hint">
            Send it as <code>Authorization: Bearer {created.token.slice(0, 12)}…</code>
          </p>
          <button type="button" className="secondary small" onClick={dismiss}>
            Hide the token
          </button>
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="empty">No API tokens yet.</p>
      ) : (
        <table className="admin-table stack-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td className="stack-title">{token.name}</td>
                <td data-label="Token">
                  <code>{token.prefix}…</code>
                </td>
                <td data-label="Created">{token.createdLabel}</td>
                <td data-label="Last used">{token.lastUsedLabel}</td>
                <td data-label="Expires">{token.expiresLabel}</td>
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
