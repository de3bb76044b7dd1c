import { changeStoredSetting, readStoredSetting } from '@/lib/settings-store';
import { type CommentSettingsUpdate, type CommentSettings, commentSettingsSchema } from '@/lib/comments/schemas';

/** The comment settings' row. Its key predates the Site page's own row ('identity'); renaming it would orphan stored settings. */
const KEY = 'site';

const parseCommentSettings = (stored: unknown): CommentSettings => {
  const parsed = commentSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : commentSettingsSchema.parse({});
};

export function getCommentSettings(): Promise<CommentSettings> {
  return readStoredSetting(KEY, parseCommentSettings);
}

export function updateCommentSettings(patch: CommentSettingsUpdate): Promise<CommentSettings> {
  return changeStoredSetting(KEY, parseCommentSettings, (current) => commentSettingsSchema.parse({ ...current, ...patch }));
}
