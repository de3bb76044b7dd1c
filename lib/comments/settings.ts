import { changeStoredSetting, readStoredSetting } from '@/lib/settings-store';
import { type SettingsUpdate, type SiteSettings, siteSettingsSchema } from '@/lib/comments/schemas';

// Until the route definitions import it from lib/comments/schemas.ts.

const KEY = 'site';

const parseSettings = (stored: unknown): SiteSettings => {
  const parsed = siteSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : siteSettingsSchema.parse({});
};

export function getSettings(): Promise<SiteSettings> {
  return readStoredSetting(KEY, parseSettings);
}

export function updateSettings(patch: SettingsUpdate): Promise<SiteSettings> {
  return changeStoredSetting(KEY, parseSettings, (current) => siteSettingsSchema.parse({ ...current, ...patch }));
}
