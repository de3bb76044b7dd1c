/*
 * Dates are shown in the site's time zone (Site settings) on pages the server renders, so every
 * reader of a cached page sees the same text, and in the reader's own zone where the browser renders
 * them. `timeZone: undefined` means the zone of whoever runs the code.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'date' | 'dateTime' | 'time' | 'zone', timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${kind}:${timeZone ?? ''}`;
  let format = formats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'date'
        ? { dateStyle: 'long' }
        : kind === 'dateTime'
          ? { dateStyle: 'medium', timeStyle: 'short' }
          : kind === 'time'
            ? { timeStyle: 'short' }
            : { timeZoneName: 'short' };
    format = new Intl.DateTimeFormat('en', { ...options, timeZone });
    formats.set(key, format);
  }
  return format;
}

/** "22 November 2026". */
export const formatDate = (iso: string, timeZone?: string) => formatter('date', timeZone).format(new Date(iso));

/** "Nov 22, 2026, 5:56 AM CET": the zone is named, so no reader has to guess it. */
export const formatDateTime = (iso: string, timeZone?: string) => {
  const date = new Date(iso);
  return `${formatter('dateTime', timeZone).format(date)} ${zoneName(date, timeZone)}`;
};

/** "5:56 AM CET": a time of today, its zone named like formatDateTime's. */
export const formatTime = (iso: string, timeZone?: string) => {
  const date = new Date(iso);
  return `${formatter('time', timeZone).format(date)} ${zoneName(date, timeZone)}`;
};

/** The zone's short name at that moment ("CET", "CEST", "GMT+5:30"), as a field label can say it. */
export function zoneName(date: Date, timeZone?: string): string {
  return (
    formatter('zone', timeZone)
      .formatToParts(date)
      .find((part) => part.type === 'timeZoneName')?.value ??
    timeZone ??
    ''
  );
}

export const pluralize = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
