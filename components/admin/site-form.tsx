'use client';

import { useRouter } from 'next/navigation';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { Field, FormActions, FormError, controlProps } from '@/components/field';
import { callApi } from '@/components/api-client';
import type { NavLink, SiteIdentity, SiteImage } from '@/lib/site/schemas';
import type { UploadKind } from '@/lib/site/assets';

const DEFAULT_ACCENT = '#0b57d0';

let lastKey = 0;
const nextKey = () => ++lastKey;

/** Uploads the chosen file as the request body, as `curl -T` would. */
async function uploadImage(kind: UploadKind, file: File) {
  try {
    const response = await fetch(`/api/admin/site/${kind}`, {
      method: 'PUT',
      headers: { 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' },
      body: file,
    });
    const data = await response.json().catch(() => undefined);
    if (response.ok) return { ok: true as const, asset: data as SiteImage };
    return {
      ok: false as const,
      message: (data?.errors?.[0]?.message ?? data?.detail ?? `The upload failed (${response.status}).`) as string,
    };
  } catch {
    return { ok: false as const, message: 'Could not reach the server. Check your connection and try again.' };
  }
}

/** An image from Site settings: what is there now, a file input that uploads at once, and Remove. */
function ImageField({
  kind,
  label,
  hint,
  current,
  done,
}: {
  kind: UploadKind;
  label: string;
  hint: string;
  current: SiteImage | null;
  /** What the site shows once an upload or a removal is done: it is live at once, with nothing left to save. */
  done: { saved: string; removed: string };
}) {
  const router = useRouter();
  const [asset, setAsset] = useState(current);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const id = `${kind}-file`;

  function finish(result: { ok: true; message: string } | { ok: false; message: string }) {
    setBusy(false);
    setError(result.ok ? '' : result.message);
    setNotice(result.ok ? result.message : '');
    if (result.ok) router.refresh();
  }

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setNotice(`Uploading ${file.name}…`);
    const result = await uploadImage(kind, file);
    input.value = '';
    if (result.ok) setAsset(result.asset);
    finish(result.ok ? { ok: true, message: `${label} saved: ${done.saved}` } : result);
  }

  async function remove() {
    setBusy(true);
    setNotice('');
    const result = await callApi('DELETE', `/api/admin/site/${kind}`);
    if (result.ok) setAsset(null);
    finish(
      result.ok
        ? { ok: true, message: `${label} removed: ${done.removed}` }
        : { ok: false, message: result.errors.form ?? 'The image could not be removed.' },
    );
  }

  return (
    <div className="image-field">
      <Field id={id} label={label} hint={hint} error={error}>
        <input {...controlProps(id, error, 'hint')} type="file" accept="image/*" onChange={upload} disabled={busy} />
        {/* Under its own control, so it never reads as waiting for the settings form's Save button. */}
        <p className="notice image-status" role="status">
          {notice}
        </p>
      </Field>
      {asset && (
        <div className="image-field-current">
          {/* eslint-disable-next-line @next/next/no-img-element -- resized and re-encoded when uploaded */}
          <img src={asset.url} alt="" width={Math.round(asset.width / 2)} height={Math.round(asset.height / 2)} />
          <button type="button" className="secondary" onClick={remove} disabled={busy}>
            Remove {label.toLowerCase()}
          </button>
        </div>
      )}
    </div>
  );
}

/** Site settings: what the blog is called, who writes it, how it looks, its time zone and menu. */
export function SiteForm({
  identity,
  timeZones,
  defaults,
}: {
  identity: SiteIdentity;
  timeZones: readonly string[];
  defaults: { navigation: NavLink[] };
}) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [accent, setAccent] = useState<string | null>(identity.accentColor);
  // Each row keeps its key while rows move, so focus and typing stay with their link.
  const [links, setLinks] = useState(() => identity.navigation.map((link) => ({ ...link, key: nextKey() })));
  const updateLink = (index: number, change: Partial<NavLink>) =>
    setLinks((current) => current.map((link, i) => (i === index ? { ...link, ...change } : link)));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '');
    setBusy(true);
    setNotice('');
    const result = await callApi<SiteIdentity>('PATCH', '/api/admin/site', {
      name: text('name'),
      description: text('description'),
      authorName: text('authorName'),
      authorBio: text('authorBio'),
      timeZone: text('timeZone'),
      accentColor: accent,
      navigation: links.map(({ label, href }) => ({ label, href })),
    });
    setBusy(false);
    if (!result.ok) {
      // Navigation errors come back as navigation.2.href; the inputs are named after them.
      setErrors(
        Object.fromEntries(
          Object.entries(result.errors).map(([field, message]) => [field.replace(/^navigation\.(\d+)\./, 'nav-$1-'), message]),
        ),
      );
      setNotice('The settings were not saved: check the fields marked below.');
      return;
    }
    setErrors({});
    setNotice('Site settings saved.');
    router.refresh();
  }

  const moveLink = (from: number, to: number) =>
    setLinks((current) => {
      const next = [...current];
      const [link] = next.splice(from, 1);
      next.splice(to, 0, link!);
      return next;
    });

  return (
    <>
      <form className="settings-form" onSubmit={onSubmit} noValidate>
        <FormError message={errors.form} />
        <fieldset>
          <legend>The blog</legend>
          <Field id="name" label="Site name" hint="In the header, page titles, feeds and search results." error={errors.name}>
            <input
              {...controlProps('name', errors.name, 'hint')}
              type="text"
              name="name"
              defaultValue={identity.name}
              required
              maxLength={100}
            />
          </Field>
          <Field
            id="description"
            label="Description"
            hint="Under the name on the home page, and in search results and feeds."
            error={errors.description}
          >
            <textarea
              {...controlProps('description', errors.description, 'hint')}
              name="description"
              defaultValue={identity.description}
              rows={2}
              maxLength={300}
            />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Author</legend>
          <Field
            id="authorName"
            label="Display name"
            hint="The byline on posts, and the author in feeds and search engines’ data."
            error={errors.authorName}
          >
            <input
              {...controlProps('authorName', errors.authorName, 'hint')}
              type="text"
              name="authorName"
              defaultValue={identity.authorName}
              required
              maxLength={100}
            />
          </Field>
          <Field id="authorBio" label="Short bio" hint="A sentence or two under each post. Leave empty for none." error={errors.authorBio}>
            <textarea
              {...controlProps('authorBio', errors.authorBio, 'hint')}
              name="authorBio"
              defaultValue={identity.authorBio}
              rows={3}
              maxLength={600}
            />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Look and time</legend>
          <Field
            id="accentColor"
            label="Accent colour"
            hint={accent ? 'For links and buttons; a lighter shade is used in dark mode.' : 'The theme’s own blue, until you pick one.'}
            error={errors.accentColor}
          >
            <div className="inline-controls">
              <input
                {...controlProps('accentColor', errors.accentColor, 'hint')}
                type="color"
                value={accent ?? DEFAULT_ACCENT}
                onChange={(event) => setAccent(event.currentTarget.value)}
              />
              {accent && (
                <button type="button" className="secondary" onClick={() => setAccent(null)}>
                  Use the default colour
                </button>
              )}
            </div>
          </Field>
          <Field
            id="timeZone"
            label="Time zone"
            hint="Dates on the site and times in the admin area are shown in this zone, and the editor schedules posts in it."
            error={errors.timeZone}
          >
            <select {...controlProps('timeZone', errors.timeZone, 'hint')} name="timeZone" defaultValue={identity.timeZone}>
              {timeZones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>
        <fieldset>
          <legend>Navigation</legend>
          <p className="hint">The links in the site’s header, in this order: a path on this site (such as /tags) or a full address.</p>
          {links.length === 0 && <p className="empty">No links: the header shows only the name and the search box.</p>}
          <ol className="nav-editor">
            {links.map((link, index) => (
              <li key={link.key}>
                <Field id={`nav-${index}-label`} label={`Link ${index + 1} label`} error={errors[`nav-${index}-label`]}>
                  <input
                    {...controlProps(`nav-${index}-label`, errors[`nav-${index}-label`])}
                    type="text"
                    value={link.label}
                    onChange={(event) => updateLink(index, { label: event.currentTarget.value })}
                    maxLength={40}
                  />
                </Field>
                <Field id={`nav-${index}-href`} label={`Link ${index + 1} address`} error={errors[`nav-${index}-href`]}>
                  <input
                    {...controlProps(`nav-${index}-href`, errors[`nav-${index}-href`])}
                    type="text"
                    value={link.href}
                    onChange={(event) => updateLink(index, { href: event.currentTarget.value })}
                    maxLength={500}
                  />
                </Field>
                <div className="nav-editor-actions">
                  {index > 0 && (
                    <button type="button" className="secondary" onClick={() => moveLink(index, index - 1)}>
                      Move link {index + 1} up
                    </button>
                  )}
                  <button type="button" className="secondary" onClick={() => setLinks((current) => current.filter((_, i) => i !== index))}>
                    Remove link {index + 1}
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <div className="inline-controls">
            {links.length < 8 && (
              <button
                type="button"
                className="secondary"
                onClick={() => setLinks((current) => [...current, { label: '', href: '', key: nextKey() }])}
              >
                Add a link
              </button>
            )}
            <button
              type="button"
              className="secondary"
              onClick={() => setLinks(defaults.navigation.map((link) => ({ ...link, key: nextKey() })))}
            >
              Restore the default links
            </button>
          </div>
        </fieldset>
        <FormActions busy={busy} label="Save site settings" notice={notice} />
      </form>
      <section className="settings-form" aria-labelledby="images-heading">
        <h2 id="images-heading">Logo and icon</h2>
        <p className="hint">An image you choose or remove here takes effect at once: it needs no Save.</p>
        <ImageField
          kind="logo"
          label="Logo"
          hint="Shown instead of the name in the header, at most 240 × 48 px (PNG, JPEG, WebP, GIF, AVIF or SVG, up to 5 MB). The name stays its text alternative."
          current={identity.logo}
          done={{ saved: 'the site’s header shows it now.', removed: 'the header shows the site name again.' }}
        />
        <ImageField
          kind="icon"
          label="Icon"
          hint="The favicon and home-screen icon: a square image, at least 180 × 180 px. Quire’s own icon is used until you upload one."
          current={identity.icon}
          done={{ saved: 'it now shows in browser tabs and on home screens.', removed: 'Quire’s own icon shows again.' }}
        />
      </section>
    </>
  );
}
