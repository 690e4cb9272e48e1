/**
 * Chart days are China calendar days (UTC+8, no daylight saving), numbered from the epoch, so SQL
 * can bucket integer epoch milliseconds as `(ms + 28800000) / 86400000` on SQLite and PostgreSQL.
 */
export const dayMs = 86_400_000;
const chinaOffsetMs = 8 * 3_600_000;

export const chinaDay = (ms: number): number => Math.floor((ms + chinaOffsetMs) / dayMs);
/** Epoch ms at which China day `day` begins. */
export const dayStart = (day: number): number => day * dayMs - chinaOffsetMs;
/** `YYYY-MM-DD` of a China day. */
export const dayLabel = (day: number): string => new Date(day * dayMs).toISOString().slice(0, 10);

/** Splits [from, to) at China midnights: [day, ms in that day] pairs. */
export function splitByDay(from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let a = from;
  while (a < to) {
    const d = chinaDay(a);
    const b = Math.min(to, dayStart(d + 1));
    out.push([d, b - a]);
    a = b;
  }
  return out;
}
