import { TZDate } from '@date-fns/tz';

/*
 * The editor's schedule field: a datetime-local value is wall-clock time in the site's zone. Kept
 * apart from lib/site/format.ts, which readers' pages load, so only the admin carries the zone data.
 */

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
