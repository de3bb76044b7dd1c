import type { Metadata } from 'next';
import { SiteForm } from '@/components/admin/site-form';
import { requireAuthor } from '@/lib/auth/current-user';
import { DEFAULT_NAVIGATION, getSiteIdentity, TIME_ZONES } from '@/lib/site/identity';

export const metadata: Metadata = { title: 'Site', description: 'The blog’s name, author, look, time zone and navigation.' };

export default async function SiteSettingsPage() {
  await requireAuthor('/admin/site');
  const identity = await getSiteIdentity();
  // A zone set by its other name (SITE_TIME_ZONE=Asia/Kolkata; Intl lists Asia/Calcutta) is offered as set.
  const timeZones = TIME_ZONES.includes(identity.timeZone) ? TIME_ZONES : [identity.timeZone, ...TIME_ZONES];
  return (
    <>
      <h1>Site</h1>
      <SiteForm identity={identity} timeZones={timeZones} defaults={{ navigation: DEFAULT_NAVIGATION }} />
    </>
  );
}
