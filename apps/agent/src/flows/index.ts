import type { Services } from '../services/index.js';
import type { UpstreamState } from '../session/availability.js';
import type { UpstreamStatusSource } from '../session/module.js';

export { createRecordFlows } from './records.js';
export type * from '@kiosk/contracts/record-views';

/**
 * The connectors' circuit breakers as the session's upstream status source: an open circuit is
 * `down` (the tiles that need it grey out with "业务系统暂时无法连接"); closed and half-open are
 * `up` (half-open lets the next citizen's request be the trial call).
 */
export function upstreamStatusFrom(
  services: Pick<Services, 'availability' | 'onAvailabilityChange'>,
  recheckMs = 5000,
): UpstreamStatusSource {
  return {
    states() {
      const out: Record<string, UpstreamState> = {};
      for (const a of services.availability()) out[a.upstream] = a.available ? 'up' : 'down';
      return out;
    },
    onChange(fn) {
      const off = services.onAvailabilityChange(() => fn());
      // A breaker moves from open to half-open lazily, when asked; asking now and then lets a
      // greyed tile come back after the cool-down without waiting for some other status change.
      const timer = setInterval(() => void services.availability(), recheckMs);
      timer.unref();
      return () => {
        clearInterval(timer);
        off();
      };
    },
  };
}
