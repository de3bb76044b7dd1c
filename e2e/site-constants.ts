/**
 * The e2e server's time zone, and the browser's: different from each other and from UTC (with a
 * half-hour offset), so a time shown or read in the wrong zone is hours off and fails a test.
 */
export const SITE_TIME_ZONE = 'Asia/Kolkata';
export const BROWSER_TIME_ZONE = 'America/New_York';
