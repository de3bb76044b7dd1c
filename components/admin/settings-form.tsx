'use client';

import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { Field, FormActions, FormError, controlProps } from '@/components/field';
import type { CommentSettings } from '@/lib/comments/schemas';
import { callApi } from '@/components/api-client';

const POLICIES = [
  ['immediate', 'Publish comments immediately', 'Spam checks can still hold a comment for review.'],
  [
    'hold_first_time',
    'Hold comments from first-time commenters',
    // Said as it works: by a cookie, not the typed email, which anyone could copy (docs/writing.md).
    'Once you approve a reader’s comment, their later ones from the same browser appear at once. The browser is recognised by a cookie, not by the email typed in: after clearing cookies, or on another browser or device, a reader’s next comment is held again.',
  ],
  ['hold_all', 'Hold every comment for approval', 'Nothing appears until you approve it.'],
] as const;

export function SettingsForm({ settings }: { settings: CommentSettings }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const number = (name: string) => Number(form.get(name));
    setBusy(true);
    setNotice('');
    const result = await callApi<CommentSettings>('PATCH', '/api/admin/settings', {
      moderation: form.get('moderation'),
      commentsEnabled: form.get('commentsEnabled') === 'on',
      blocklist: String(form.get('blocklist') ?? '')
        .split('\n')
        .map((word) => word.trim())
        .filter(Boolean),
      maxLinks: number('maxLinks'),
      commentRateLimit: { max: number('rateMax'), windowSeconds: number('rateWindow') },
      minSubmitSeconds: number('minSubmitSeconds'),
      editWindowMinutes: number('editWindowMinutes'),
      maxReplyDepth: number('maxReplyDepth'),
    });
    setBusy(false);
    if (!result.ok) {
      // Nested fields come back as commentRateLimit.max; the inputs are named after them.
      setErrors(
        Object.fromEntries(
          Object.entries(result.errors).map(([field, message]) => [
            field.replace('commentRateLimit.max', 'rateMax').replace('commentRateLimit.windowSeconds', 'rateWindow'),
            message,
          ]),
        ),
      );
      return;
    }
    setErrors({});
    setNotice('Settings saved.');
    router.refresh();
  }

  return (
    <form className="settings-form" onSubmit={onSubmit} noValidate>
      <FormError message={errors.form} />
      <fieldset>
        <legend>Comments</legend>
        <div className="field checkbox">
          <input id="commentsEnabled" name="commentsEnabled" type="checkbox" defaultChecked={settings.commentsEnabled} />
          <label htmlFor="commentsEnabled">Readers may comment (turn off to close comments on every post)</label>
        </div>
        <Field
          id="maxReplyDepth"
          label="Deepest level of replies"
          hint="1 means no replies; a reply deeper than this joins its parent’s thread."
          error={errors.maxReplyDepth}
        >
          <input
            {...controlProps('maxReplyDepth', errors.maxReplyDepth, 'hint')}
            name="maxReplyDepth"
            type="number"
            min={1}
            max={10}
            defaultValue={settings.maxReplyDepth}
          />
        </Field>
      </fieldset>
      <fieldset aria-describedby={errors.moderation ? 'moderation-error' : undefined}>
        <legend>Moderation</legend>
        {POLICIES.map(([value, label, hint]) => (
          <div className="field radio" key={value}>
            <input
              id={`moderation-${value}`}
              name="moderation"
              type="radio"
              value={value}
              defaultChecked={settings.moderation === value}
              aria-describedby={`moderation-${value}-hint`}
            />
            <label htmlFor={`moderation-${value}`}>{label}</label>
            <p id={`moderation-${value}-hint`} className="hint">
              {hint}
            </p>
          </div>
        ))}
        {errors.moderation && (
          <p id="moderation-error" className="field-error">
            {errors.moderation}
          </p>
        )}
      </fieldset>
      <fieldset>
        <legend>Spam defences</legend>
        <Field
          id="blocklist"
          label="Blocklist"
          hint="One word or phrase per line. Comments containing one (in the name, email or text) wait for approval."
          error={errors.blocklist}
        >
          <textarea
            {...controlProps('blocklist', errors.blocklist, 'hint')}
            name="blocklist"
            rows={5}
            defaultValue={settings.blocklist.join('\n')}
          />
        </Field>
        <Field id="maxLinks" label="Most links allowed" hint="A comment with more links waits for approval." error={errors.maxLinks}>
          <input
            {...controlProps('maxLinks', errors.maxLinks, 'hint')}
            name="maxLinks"
            type="number"
            min={0}
            max={100}
            defaultValue={settings.maxLinks}
          />
        </Field>
        <div className="field-row">
          <Field id="rateMax" label="Comments per address" error={errors.rateMax}>
            <input
              {...controlProps('rateMax', errors.rateMax)}
              name="rateMax"
              type="number"
              min={1}
              defaultValue={settings.commentRateLimit.max}
            />
          </Field>
          <Field id="rateWindow" label="…within seconds" hint="More are refused (429) until the window passes." error={errors.rateWindow}>
            <input
              {...controlProps('rateWindow', errors.rateWindow, 'hint')}
              name="rateWindow"
              type="number"
              min={1}
              defaultValue={settings.commentRateLimit.windowSeconds}
            />
          </Field>
        </div>
        <Field
          id="minSubmitSeconds"
          label="Minimum seconds to write a comment"
          hint="A form sent sooner after the page loaded is treated as a bot's and kept as spam."
          error={errors.minSubmitSeconds}
        >
          <input
            {...controlProps('minSubmitSeconds', errors.minSubmitSeconds, 'hint')}
            name="minSubmitSeconds"
            type="number"
            min={0}
            defaultValue={settings.minSubmitSeconds}
          />
        </Field>
        <Field
          id="editWindowMinutes"
          label="Minutes readers may edit their comment"
          hint="0 turns editing off."
          error={errors.editWindowMinutes}
        >
          <input
            {...controlProps('editWindowMinutes', errors.editWindowMinutes, 'hint')}
            name="editWindowMinutes"
            type="number"
            min={0}
            defaultValue={settings.editWindowMinutes}
          />
        </Field>
      </fieldset>
      <FormActions busy={busy} label="Save settings" notice={notice} />
    </form>
  );
}
