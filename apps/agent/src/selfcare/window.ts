import { chinaDate, chinaMinuteOfDay } from '@kiosk/platform';

/** Minutes since midnight of "HH:MM". */
const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether `now` falls in the nightly window [start, end) in China time (the kiosk's business
 * time, whatever the OS time zone); a window may cross midnight (23:30–00:30).
 */
export function inWindow(now: Date, start: string, end: string): boolean {
  const m = chinaMinuteOfDay(now);
  const s = minutes(start);
  const e = minutes(end);
  return s <= e ? m >= s && m < e : m >= s || m < e;
}

/** The China-time day of `now`: one maintenance run per day. */
export const maintenanceDay = chinaDate;
