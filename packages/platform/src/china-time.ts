/** China has one time zone and no daylight saving: business dates are UTC+8. */
const OFFSET_MS = 8 * 3600_000;

/** YYYY-MM-DD in China time, whatever the host's zone. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}
