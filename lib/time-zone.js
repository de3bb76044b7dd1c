// @ts-check
/* Plain JavaScript: lib/env.js checks SITE_TIME_ZONE with it before Next starts (server/index.mjs). */

/** @type {Map<string, string> | undefined} */
let knownZones;

/**
 * An IANA zone as Intl lists it ("europe/berlin" → "Europe/Berlin"), or as given when Intl knows it
 * only as an alias (ICU lists "Asia/Calcutta", but people write "Asia/Kolkata"); undefined if unknown.
 * @param {string} zone
 * @returns {string | undefined}
 */
export function canonicalTimeZone(zone) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return undefined;
  }
  knownZones ??= new Map(Intl.supportedValuesOf('timeZone').map((name) => [name.toLowerCase(), name]));
  return knownZones.get(zone.toLowerCase()) ?? zone;
}
