import { TZDate } from '@date-fns/tz';

/*
 * Dates are shown in the site's time zone (Site settings) on pages the server renders, so every
 * reader of a cached page sees the same text, and in the reader's own zone where the browser renders
 * them. `timeZone: undefined` means the zone of whoever runs the code.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'date' | 'dateTime' | 'zone', timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${kind}:${timeZone ?? ''}`;
  let format = formats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'date'
        ? { dateStyle: 'long' }
        : kind === 'dateTime'
          ? { dateStyle: 'medium', timeStyle: 'short' }
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

let knownZones: Map<string, string> | undefined;

/**
 * An IANA zone as Intl lists it ("europe/berlin" → "Europe/Berlin"), or as given when Intl knows it
 * only as an alias (ICU lists "Asia/Calcutta", but people write "Asia/Kolkata"); undefined if unknown.
 */
export function canonicalTimeZone(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return undefined;
  }
  knownZones ??= new Map(Intl.supportedValuesOf('timeZone').map((name) => [name.toLowerCase(), name]));
  return knownZones.get(zone.toLowerCase()) ?? zone;
}

export const pluralize = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as the value of a datetime-local input showing the wall-clock time in `timeZone`. */
export function toZonedInput(iso: string, timeZone: string): string {
  const wall = new TZDate(new Date(iso).getTime(), timeZone);
  return `${wall.getFullYear()}-${pad(wall.getMonth() + 1)}-${pad(wall.getDate())}T${pad(wall.getHours())}:${pad(wall.getMinutes())}:${pad(wall.getSeconds())}`;
}

/**
 * A datetime-local value ("2026-12-01T10:07") read as wall-clock time in `timeZone`, as a UTC ISO
 * string; undefined when it is not such a value. A time skipped by a DST change moves forward.
 */
export function fromZonedInput(value: string, timeZone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const time = new TZDate(year!, month! - 1, day!, hour!, minute!, second, timeZone).getTime();
  if (Number.isNaN(time)) return undefined;
  const iso = new Date(time).toISOString();
  // 31 February rolls over into March: a date that does not come back the same did not exist.
  return toZonedInput(iso, timeZone).slice(0, 10) === value.slice(0, 10) ? iso : undefined;
}
