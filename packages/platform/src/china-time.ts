/**
 * China has one time zone and no daylight saving: business dates, slips and maintenance windows
 * are UTC+8 whatever zone the host runs in. Browser-safe (`@kiosk/platform/china-time`).
 */
const OFFSET_MS = 8 * 3600_000;

/** The IANA name, for Intl formatters (the UI's clock). */
export const CHINA_TIME_ZONE = 'Asia/Shanghai';

/** `YYYY-MM-DDTHH:mm:ss.sss` of the China wall clock. */
const wall = (at: Date): string => new Date(at.getTime() + OFFSET_MS).toISOString();

/** YYYY-MM-DD in China time. */
export function chinaDate(at: Date): string {
  return wall(at).slice(0, 10);
}

/** YYYYMMDD in China time, for serial numbers. */
export function chinaDateCompact(at: Date): string {
  return chinaDate(at).replaceAll('-', '');
}

/** `YYYY-MM-DD HH:mm:ss` in China time, as slips print it. */
export function chinaDateTime(at: Date): string {
  return wall(at).slice(0, 19).replace('T', ' ');
}

/** YYYYMMDDHHmmss in China time, for order numbers. */
export function chinaStampCompact(at: Date): string {
  return wall(at).slice(0, 19).replace(/[-T:]/g, '');
}

/** The China-time calendar year. */
export function chinaYear(at: Date): number {
  return Number(wall(at).slice(0, 4));
}

/** Minutes since China-time midnight (0–1439), for daily windows. */
export function chinaMinuteOfDay(at: Date): number {
  const t = wall(at);
  return Number(t.slice(11, 13)) * 60 + Number(t.slice(14, 16));
}

/** The instants [start, end) of a China date (YYYY-MM-DD) as ISO strings in UTC. */
export function chinaDayRange(date: string): { start: string; end: string } {
  const start = Date.parse(`${date}T00:00:00+08:00`);
  return { start: new Date(start).toISOString(), end: new Date(start + 24 * 3600_000).toISOString() };
}

/** The first instant of a China-time month, for monthly caps. */
export function chinaMonthStart(at: Date): string {
  return chinaDayRange(`${chinaDate(at).slice(0, 7)}-01`).start;
}
