/** China has one time zone and no daylight saving: business dates are UTC+8. */
const OFFSET_MS = 8 * 3600_000;

/** YYYY-MM-DD in China time. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** YYYYMMDD in China time, for serial numbers. */
export function chinaDateCompact(at: Date): string {
  return chinaDate(at).replaceAll('-', '');
}

/** The first instant of a China-time month, for monthly caps. */
export function chinaMonthStart(at: Date): string {
  const d = chinaDate(at);
  return new Date(Date.parse(`${d.slice(0, 7)}-01T00:00:00+08:00`)).toISOString();
}
