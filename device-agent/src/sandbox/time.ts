import { chinaDate } from '@kiosk/platform';

/** YYYY-MM-DD in China time (one implementation, in @kiosk/platform). */
export { chinaDate };

/** YYYYMMDD in China time, for serial numbers. */
export function chinaDateCompact(at: Date): string {
  return chinaDate(at).replaceAll('-', '');
}

/** The first instant of a China-time month, for monthly caps. */
export function chinaMonthStart(at: Date): string {
  const d = chinaDate(at);
  return new Date(Date.parse(`${d.slice(0, 7)}-01T00:00:00+08:00`)).toISOString();
}
