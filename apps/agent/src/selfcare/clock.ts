type ClockLevel = 'ok' | 'warn' | 'out-of-service';

export interface ClockVerdict {
  level: ClockLevel;
  offsetSeconds: number;
}

/**
 * Judges the kiosk clock against central's. Slips carry times and requests are signed with them,
 * so beyond `outOfServiceSeconds` the kiosk must stop serving; beyond `warnSeconds` someone should
 * look (NTP). The measurement's own uncertainty is given the benefit of the doubt.
 */
export function judgeClock(
  offsetMs: number,
  uncertaintyMs: number,
  limits: { warnSeconds: number; outOfServiceSeconds: number },
): ClockVerdict {
  const worst = Math.max(0, Math.abs(offsetMs) - Math.max(0, uncertaintyMs)) / 1000;
  const offsetSeconds = Math.round(offsetMs / 100) / 10;
  if (worst > limits.outOfServiceSeconds) return { level: 'out-of-service', offsetSeconds };
  if (worst > limits.warnSeconds) return { level: 'warn', offsetSeconds };
  return { level: 'ok', offsetSeconds };
}
